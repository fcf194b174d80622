"""Required materials and the one-time notice (一次性告知).

Issue 4 makes the list configurable per jurisdiction; until then every 业务属地 requires the
standard catalogue of DOMAIN.md §2, plus the agent's items when an agent (委托办理) files.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2, step 1): the standard 跨省通办 attachment catalogue (申请表, 身份证, 户口簿,
残疾人证, 一寸免冠照片, bank or credit-union account; for 委托办理 the agent's ID card, proof of delegation, 承诺书), the
one-time notice (一次性告知, 最多跑一次) and "materials complete" (申请材料收齐), which starts D1 (step 2).
"""
from __future__ import annotations

import re
from typing import Any

from msgspec import Struct


class MaterialKind(Struct, frozen=True):
    code: str
    name: str
    purpose: str
    for_agent: bool = False


CATALOGUE: tuple[MaterialKind, ...] = (
    MaterialKind("application_form", "申请表", "records the application and the subsidies requested"),
    MaterialKind("id_card", "身份证", "proves the applicant's identity"),
    MaterialKind("household_register", "户口簿", "proves the household registration (户籍) at the 业务属地"),
    MaterialKind("disability_certificate", "残疾人证", "proves the disability category and grade"),
    MaterialKind("photo", "一寸免冠照片", "1-inch photo for the subsidy record"),
    MaterialKind("bank_account", "银行或信用社账户", "the account the monthly subsidy is paid into (社会化发放)"),
    MaterialKind("agent_id_card", "代理人身份证", "proves the agent's identity", for_agent=True),
    MaterialKind("agent_relationship_proof", "委托关系证明", "proves the agent may act for the applicant", for_agent=True),
    MaterialKind("pledge", "承诺书", "the agent's signed pledge that the application is true", for_agent=True),
)

MATERIAL_CODES: frozenset[str] = frozenset(kind.code for kind in CATALOGUE)
# a material's code: the catalogue's, or a local item's that a 户籍地's list defines (a lower-case slug; every
# catalogue code has this form too)
MATERIAL_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")
STANDARD = "standard"  # the source of an item the standard catalogue put on the notice (no list in force)
# what the notice says when no list of the 户籍地 or above it was in force (黑民发〔2021〕6号: the 市/县 残联 sets the
# 户籍地's list; until it does, the applicant is told the standard catalogue)
STANDARD_LIST_NOTE = "本户籍地尚未制定证明材料清单，按标准清单告知"


def is_material_code(value: object) -> bool:
    """A catalogue code or the form of a local item's code."""
    return isinstance(value, str) and (value in MATERIAL_CODES or MATERIAL_CODE.fullmatch(value) is not None)


class NoticeItem(Struct, frozen=True):
    """One line of the one-time notice: what is required of this applicant, and why. ``source``: the version of the
    list that put the item there as it is (``"23@2021-04-22"``), ``"standard"`` for the standard catalogue where no
    list was in force, ``""`` on notices made before it was kept."""

    code: str
    name: str
    purpose: str
    required: bool
    waived: bool = False
    waiver: str | None = None
    source: str = ""


def standard_list_used(notice: tuple[NoticeItem, ...]) -> bool:
    """Whether the notice was made from the standard catalogue because no list of the 户籍地 (or above it) was in
    force: every item's source is the standard (a notice kept before sources were recorded never says so)."""
    return bool(notice) and all(item.source == STANDARD for item in notice)


def one_time_notice(has_agent: bool) -> tuple[NoticeItem, ...]:
    """Every item the 业务属地 requires of this applicant, told once ("最多跑一次")."""
    return tuple(
        NoticeItem(kind.code, kind.name, kind.purpose, required=True, source=STANDARD)
        for kind in CATALOGUE
        if has_agent or not kind.for_agent
    )


def outstanding(notice: tuple[NoticeItem, ...], received_codes: frozenset[str]) -> tuple[str, ...]:
    """Codes still missing before the materials count as complete (申请材料收齐)."""
    return tuple(
        item.code
        for item in notice
        if item.required and not item.waived and item.code not in received_codes
    )


class StoredRule(Struct, frozen=True):
    """A rule as an admin stored it: its scope, kind, first day, body (read by the readers here), who and when."""

    scope: str
    kind: str
    effective_from: str
    body: dict[str, Any]
    loaded_by: str
    loaded_at: str
