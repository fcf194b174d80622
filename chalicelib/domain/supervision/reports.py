"""个人主动申报: a recipient or the family reports a change (death, a move, leaving 低保, another change).

A report is made on the public progress page (the case number and the ID number's last six characters, like a
progress lookup) or at any window in person. It never stops a payment by itself: each matching entitlement gets a
*proposal* for its 业务属地, the same proposals the monthly data comparison makes (``source: "self_report"``), which
the 业务属地's reviewer confirms or rejects.

Implements: 定期复核 by data comparison, home visits and self-declaration (个人主动申报), and the dynamic checks of
death, 户籍 moved out and leaving 低保 (DOMAIN.md §3; 民发〔2022〕79号); the effective month is the province's rule
for the matching comparison kind (configurable per province, never hard-coded).
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

from msgspec import Struct

from ..cases.progress import Lookup, read_lookup
from ..errors import Invalid, Malformed

# change -> (action, which subsidies it affects, the data comparison's kind for the effective month, what it means)
CHANGES: Mapping[str, tuple[str, tuple[str, ...], str, str]] = {
    "death": ("stop", ("living", "nursing"), "deaths", "申报死亡 (reported death)"),
    "moved": ("stop", ("living", "nursing"), "hukou_moves", "申报户籍迁出 (reported household registration move)"),
    "dibao_exit": ("stop", ("living",), "dibao_exits", "申报退出低保 (reported leaving 低保: the living subsidy ends)"),
    # another change: paused until the 业务属地 has checked it, if the reviewer confirms
    "other": ("suspend", ("living", "nursing"), "", "申报其他变化，待核实 (another reported change, to be checked)"),
}
REPORTERS: Mapping[str, str] = {"self": "本人", "family": "家属"}
CHANNELS = ("public", "window")
NOTE_MAX = 200
_CONTACT = re.compile(r"[0-9][0-9-]{4,19}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Report(Struct, frozen=True):
    case_id: str
    id_suffix: str
    change: str
    note: str
    reporter: str
    contact: str | None

    @property
    def lookup(self) -> Lookup:
        return Lookup(self.case_id, self.id_suffix)


def read_report(body: Any) -> Report:
    """``{case_id, id_suffix, change, note, reporter, contact?}``: every field is checked before any case is read,
    so a malformed report is answered the same whether the case exists or not."""
    wanted = read_lookup(body)
    change, reporter, note, contact = (body.get("change"), body.get("reporter"), body.get("note"),
                                       body.get("contact"))
    if change not in CHANGES:
        raise Invalid("UNKNOWN_CHANGE", f"change must be one of {', '.join(CHANGES)}", "change")
    if reporter not in REPORTERS:
        raise Invalid("UNKNOWN_REPORTER", "reporter must be self or family", "reporter")
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise Malformed("WRONG_TYPE", "note is text", "note")
    note = note.strip()
    if change == "other" and not note:
        raise Invalid("MISSING_FIELD", "say what changed", "note")
    if len(note) > NOTE_MAX:
        raise Invalid("TOO_LONG", f"note is at most {NOTE_MAX} characters", "note")
    if _CONTROL.search(note):
        raise Invalid("NOTE_CHARACTERS", "note holds a control or direction character", "note")
    if contact is not None:
        if not isinstance(contact, str) or not _CONTACT.fullmatch(contact.strip()):
            raise Invalid("CONTACT_FORMAT", "contact is a phone number (digits and -)", "contact")
        contact = contact.strip() or None
    return Report(wanted.case_id, wanted.id_suffix, change, note, reporter, contact)


def report_id(report: Report, day: str) -> str:
    """The same report on the same day is one report (a resubmitted form proposes nothing new)."""
    text = "|".join((report.case_id, report.change, report.reporter, report.note, day))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def reason(report: Report, channel: str) -> str:
    """The proposal's reason: what was reported, by whom and where (the reviewer reads it)."""
    where = "进度查询页" if channel == "public" else "窗口"
    text = f"{CHANGES[report.change][3]}；{REPORTERS[report.reporter]}经{where}申报"
    return f"{text}：{report.note}" if report.note else text
