"""Valid test identities: numbers built with the real GB 11643 check digit."""
from __future__ import annotations

import hashlib
import itertools
from datetime import date, timedelta
from typing import Any

from stdnum.cn import ric

SHANGHAI_WINDOW = "310101002"  # 黄浦区南京东路街道
HARBIN_TOWNSHIP = "230102001"  # 哈尔滨市道里区
HARBIN_OTHER_TOWNSHIP = "230103001"  # 哈尔滨市南岗区


def id_number(region: str = "230102", birth: str = "19800101", sequence: str = "123") -> str:
    body = region + birth + sequence
    return body + ric.calc_check_digit(body + "0")


def committee_of(hukou_unit: Any) -> str:
    """The first village or residents committee of a township (its 12-digit code: the township's and 001)."""
    return f"{hukou_unit}001"


def application(person_id: str | None = None, hukou_unit: str = HARBIN_TOWNSHIP, **overrides: Any) -> dict[str, Any]:
    """The POST /cases body for a Heilongjiang applicant (API.md), at the first committee of the hukou unit."""
    person_id = person_id or id_number()
    body: dict[str, Any] = {
        "applicant": {"name": "张三", "id_number": person_id, "phone": "13800000000",
                      "hukou_unit": hukou_unit, "hukou_address": "哈尔滨市道里区兆麟街1号",
                      "committee_unit": committee_of(hukou_unit)},
        "certificate": {"number": person_id + "41", "valid_until": "2031-05-01"},
        "subsidies": ["living", "nursing"],
        "low_income": {"dibao": True},
    }
    body.update(overrides)
    return body


def pdf_bytes(label: str = "material") -> bytes:
    return b"%PDF-1.4\n% " + label.encode() + b"\n%%EOF\n"


def declaration(code: str, content: bytes, content_type: str = "application/pdf") -> dict[str, Any]:
    return {"code": code, "filename": f"{code}.pdf", "content_type": content_type,
            "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


_births = itertools.count(1)


def fresh_application(sequence: str = "468", **overrides: Any) -> dict[str, Any]:
    """A valid application for an applicant no other test uses (a new birth date each call)."""
    born = date(1950, 1, 1) + timedelta(days=next(_births))
    return application(person_id=id_number(birth=born.strftime("%Y%m%d"), sequence=sequence), **overrides)
