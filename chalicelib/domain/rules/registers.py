"""Authoritative rosters (数据比对和共享) and the waivers and confirmations they support.

Operators load three kinds of roster as CSV (UTF-8, BOM allowed, a header row):

- ``disability_certificates``: the DPF's (残联) 残疾人证 records;
- ``dibao``: the 低保 (minimum-living-guarantee) roster;
- ``tekun``: the 特困供养 roster (whose members get neither subsidy).

Where a roster confirms what the applicant declared, the matching material need not be
provided (DOMAIN.md §2, 材料免提交); where it disagrees, the disagreement is shown to the
reviewer line by line, never hidden. A roster row never keeps the ID number in clear: the
person key (``persons.person_key``) and a masked form replace it.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2: authoritative data by comparison and sharing; such a material is waived)
and 国发〔2015〕52号 (DOMAIN.md §1: a valid 残疾人证; 低保; 特困供养 excludes both subsidies). The CSV layout and the keyed
person index are no statute: engineering rules.
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from msgspec import Struct, field
from msgspec.structs import replace

from ..errors import DomainError, Invalid
from ..identity import CATEGORY_NAMES, GRADE_NAMES, ID_LENGTH, mask_id_number, validate_id_number
from ..persons import person_key
from ..values import day_or_none

CERTIFICATES, DIBAO, TEKUN = "disability_certificates", "dibao", "tekun"
CERTIFICATE_MATERIAL = "disability_certificate"
ERROR_LINES_KEPT = 100


class RosterKind(Struct, frozen=True):
    kind: str
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


KINDS: Mapping[str, RosterKind] = {
    CERTIFICATES: RosterKind(
        CERTIFICATES, "残疾人证",
        ("id_number", "certificate_number", "category", "grade", "valid_until", "status")),
    DIBAO: RosterKind(DIBAO, "低保", ("id_number", "status", "since"), ("area",)),
    TEKUN: RosterKind(TEKUN, "特困供养", ("id_number", "status", "since")),
}
_CERTIFICATE_STATUSES = ("valid", "cancelled")
_MEMBERSHIP_STATUSES = ("in", "out")
_AREAS = ("urban", "rural")


class RosterEntry(Struct, frozen=True):
    """One accepted roster row: the person key, a masked ID for display, the checked fields."""

    kind: str
    person_key: str
    masked_id: str
    fields: Mapping[str, str]


class ParsedRoster(Struct, frozen=True):
    entries: list[RosterEntry]
    errors: list[str]  # "line 7: ..." - never the ID number
    ignored_columns: tuple[str, ...] = ()  # columns outside the schema are dropped, not stored


class RosterLoad(Struct, frozen=True):
    """One loaded S3 object version: the audit record of a load."""

    load_id: str
    kind: str
    bucket: str
    key: str
    version: str | None
    sha256: str
    loaded_by: str
    loaded_at: str
    rows: int  # entries stored
    error_count: int  # rows refused
    error_lines: tuple[str, ...]  # the first ERROR_LINES_KEPT


def load_id_for(bucket: str, key: str, version: str | None, sha256: str) -> str:
    """The same S3 object version always gives the same load (re-running a load is harmless);
    an unversioned object is identified by its content instead."""
    identity = f"{bucket}/{key}/{version}" if version and version != "null" else f"{bucket}/{key}/sha256:{sha256}"
    return hashlib.sha256(identity.encode()).hexdigest()


def roster_kind(kind: str) -> RosterKind:
    if kind not in KINDS:
        raise Invalid("UNKNOWN_ROSTER", f"roster kind must be one of {', '.join(KINDS)}", "kind")
    return KINDS[kind]


# --- parsing -------------------------------------------------------------------------------

def parse_roster(kind: str, text: str, secret: bytes, today: date) -> ParsedRoster:
    """Read a roster CSV; bad rows are reported by line number and skipped, the rest loaded.

    A missing column or an empty file refuses the whole file (422 ``ROSTER_HEADER``); one row
    per person (a repeated person is an error: the first row is kept).
    """
    schema = roster_kind(kind)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        _check_header(schema, header)
        entries: list[RosterEntry] = []
        errors: list[str] = []
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                errors.append(f"line {line}: expected {len(header)} columns, got {len(row)}")
                continue
            values = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
            entry, problems = _read_row(schema, values, secret, today)
            if entry is not None and entry.person_key in seen:
                problems = [f"same person as line {seen[entry.person_key]} (that row is kept)"]
            if problems or entry is None:
                errors.append(f"line {line}: " + "; ".join(problems))
                continue
            seen[entry.person_key] = line
            entries.append(entry)
    except csv.Error:
        raise Invalid("ROSTER_FORMAT", f"line {reader.line_num}: the file is not readable CSV", "key") from None
    known = set(schema.required) | set(schema.optional)
    return ParsedRoster(entries, errors, tuple(name for name in header if name not in known))


def _check_header(schema: RosterKind, header: list[str]) -> None:
    if not header:
        raise Invalid("ROSTER_HEADER", "the roster is empty: a header row is required", "key")
    missing = [name for name in schema.required if name not in header]
    if missing:
        raise Invalid("ROSTER_HEADER", f"{schema.kind} roster lacks columns: {', '.join(missing)}", "key")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise Invalid("ROSTER_HEADER", f"columns appear twice: {', '.join(repeated)}", "key")


def _read_row(
    schema: RosterKind, values: Mapping[str, str], secret: bytes, today: date
) -> tuple[RosterEntry | None, list[str]]:
    problems: list[str] = []
    try:
        id_number: str | None = validate_id_number(values["id_number"], today, "id_number")
    except DomainError as error:  # the message of some codes quotes part of the number: never reuse it
        problems.append(f"id_number is not a valid 公民身份号码 ({error.code})")
        id_number = None
    if schema.kind == CERTIFICATES:
        fields = _certificate_fields(values, id_number, problems)
    else:
        fields = _membership_fields(schema, values, problems)
    if problems or id_number is None:
        return None, problems
    return RosterEntry(schema.kind, person_key(id_number, secret), mask_id_number(id_number), fields), []


def _certificate_fields(values: Mapping[str, str], id_number: str | None, problems: list[str]) -> dict[str, str]:
    category, grade, status = values["category"], values["grade"], values["status"].lower()
    if category not in {str(c) for c in CATEGORY_NAMES}:
        problems.append("category must be 1..7 (视力1 听力2 言语3 肢体4 智力5 精神6 多重7)")
    if grade not in {str(g) for g in GRADE_NAMES}:
        problems.append("grade must be 1..4 (一级1 … 四级4)")
    if day_or_none(values["valid_until"]) is None:
        problems.append("valid_until must be a date YYYY-MM-DD")
    if status not in _CERTIFICATE_STATUSES:
        problems.append(f"status must be one of {', '.join(_CERTIFICATE_STATUSES)}")
    number = values["certificate_number"].replace(" ", "").upper()
    if id_number is not None:
        if len(number) != ID_LENGTH + 2 or not number.startswith(id_number):
            problems.append("certificate_number is not the holder's ID number followed by two digits")
        elif not problems and number[ID_LENGTH:] != category + grade:
            problems.append("certificate_number's category and grade digits disagree with the columns")
    return {"certificate_masked": mask_id_number(number), "category": category, "grade": grade,
            "valid_until": values["valid_until"], "status": status}


def _membership_fields(schema: RosterKind, values: Mapping[str, str], problems: list[str]) -> dict[str, str]:
    status = values["status"].lower()
    if status not in _MEMBERSHIP_STATUSES:
        problems.append(f"status must be one of {', '.join(_MEMBERSHIP_STATUSES)}")
    if day_or_none(values["since"]) is None:
        problems.append("since must be a date YYYY-MM-DD")
    fields = {"status": status, "since": values["since"]}
    area = values.get("area", "").lower()
    if "area" in schema.optional and area:
        if area not in _AREAS:
            problems.append(f"area must be empty or one of {', '.join(_AREAS)}")
        fields["area"] = area
    return fields


# --- comparison ----------------------------------------------------------------------------

class RosterMatch(Struct, frozen=True):
    """A person's entry in one load of a roster, as read back from the index."""

    kind: str
    load_id: str
    loaded_at: str
    fields: Mapping[str, str]
    masked_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "load_id": self.load_id, "loaded_at": self.loaded_at,
                "fields": dict(self.fields), "masked_id": self.masked_id}


class CertificateLike(Protocol):
    """What the application declares about its 残疾人证 (``identity.Certificate`` fits)."""

    @property
    def number(self) -> str: ...
    @property
    def category(self) -> int: ...
    @property
    def grade(self) -> int: ...
    @property
    def valid_until(self) -> date: ...


class WaiverResult(Struct, frozen=True):
    """A waiver (``type`` "waiver", ``code`` the material) or a confirmation of a declared
    status (``type`` "confirmation", ``code`` None); ``source`` is the roster kind."""

    type: str
    code: str | None
    source: str
    load_id: str | None
    loaded_at: str | None
    waived: bool | None = None
    confirmed: bool | None = None
    match: Mapping[str, str] = field(default_factory=dict)
    mismatch: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    roster: Mapping[str, str] = field(default_factory=dict)  # what the roster says, agreeing or not

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "code": self.code, "source": self.source, "load_id": self.load_id,
                "loaded_at": self.loaded_at, "waived": self.waived, "confirmed": self.confirmed,
                "match": dict(self.match), "mismatch": list(self.mismatch), "notes": list(self.notes),
                "roster": dict(self.roster)}


def waivers_for(
    notice_codes: Collection[str],
    certificate: CertificateLike,
    low_income: Mapping[str, bool],
    entries: Sequence[RosterMatch],
    today: date,
    loads: Mapping[str, tuple[str, str]] | None = None,
) -> list[WaiverResult]:
    """Compare the application with the newest roster entry of each kind (pure).

    The 残疾人证 is waived only when the DPF roster shows the same certificate valid today;
    declared 低保 / 特困 membership is confirmed or contradicted. No entry, no waiver.
    ``loads``: the newest load (load id, loaded at) of each kind ever loaded; with it, a claim is
    contradicted by "no entry" only when a roster of that kind exists, and the result names that
    load. None: unknown (a missing entry contradicts a claim, naming no load).
    """
    newest = newest_per_kind(entries)
    results: list[WaiverResult] = []
    if CERTIFICATE_MATERIAL in notice_codes and CERTIFICATES in newest:
        results.append(_certificate_waiver(certificate, newest[CERTIFICATES], today))
    for kind in (DIBAO, TEKUN):
        if loads is not None and kind not in loads and kind not in newest:
            continue  # no roster of this kind was ever loaded: nothing to compare with
        result = _confirmation(kind, bool(low_income.get(kind)), newest.get(kind),
                               loads.get(kind) if loads is not None else None)
        if result is not None:
            results.append(result)
    return results


def newest_per_kind(entries: Sequence[RosterMatch]) -> dict[str, RosterMatch]:
    """The entry from the latest load of each kind (load id breaks a tie)."""
    newest: dict[str, RosterMatch] = {}
    for entry in entries:
        current = newest.get(entry.kind)
        if current is None or _order(entry) > _order(current):
            newest[entry.kind] = entry
    return newest


def _order(entry: RosterMatch) -> tuple[datetime, str]:
    return datetime.fromisoformat(entry.loaded_at), entry.load_id


def _certificate_waiver(certificate: CertificateLike, entry: RosterMatch, today: date) -> WaiverResult:
    roster = entry.fields
    declared = mask_id_number(certificate.number.replace(" ", "").upper())
    mismatch: list[str] = []
    if roster.get("certificate_masked") != declared:
        mismatch.append(f"certificate_number: roster {roster.get('certificate_masked')}, application {declared}")
    for name in ("category", "grade"):
        if roster.get(name) != str(getattr(certificate, name)):
            mismatch.append(f"{name}: roster {roster.get(name)}, application {getattr(certificate, name)}")
    if roster.get("status") != "valid":
        mismatch.append(f"status: roster {roster.get('status')}")
    valid_until = day_or_none(roster.get("valid_until"))
    if valid_until is None or valid_until < today:
        mismatch.append(f"valid_until: roster {roster.get('valid_until')}, expired before {today.isoformat()}")
    shown = {name: roster[name] for name in ("category", "grade", "status", "valid_until") if name in roster}
    base = WaiverResult("waiver", CERTIFICATE_MATERIAL, CERTIFICATES, entry.load_id, entry.loaded_at, roster=shown)
    if mismatch:
        return replace(base, waived=False, mismatch=tuple(mismatch))
    notes = () if valid_until == certificate.valid_until else (
        f"valid_until: roster {roster['valid_until']}, application {certificate.valid_until.isoformat()}",)
    match = {"category": roster["category"], "grade": roster["grade"], "valid_until": roster["valid_until"]}
    return replace(base, waived=True, match=match, notes=notes)


def _confirmation(
    kind: str, claimed: bool, entry: RosterMatch | None, newest_load: tuple[str, str] | None = None
) -> WaiverResult | None:
    """低保 / 特困 as declared against the roster: a confirmation, a contradiction, or nothing."""
    name = KINDS[kind].name
    if entry is None:
        if not claimed:
            return None
        load_id, loaded_at = newest_load or (None, None)
        return WaiverResult("confirmation", None, kind, load_id, loaded_at, confirmed=False,
                            mismatch=(f"status: no entry in any loaded {name} roster, application claims {name}",),
                            roster={"status": "absent"})
    status = entry.fields.get("status")
    if status != "in" and not claimed:
        return None
    match = {key: entry.fields[key] for key in ("status", "since", "area") if key in entry.fields}
    notes = ("特困供养 recipients receive neither subsidy (国发〔2015〕52号)",) if kind == TEKUN and status == "in" else ()
    base = WaiverResult("confirmation", None, kind, entry.load_id, entry.loaded_at, notes=notes, roster=match)
    if status == "in" and claimed:
        return replace(base, confirmed=True, match=match)
    claim = f"application claims {name}" if claimed else f"application does not claim {name}"
    return replace(base, confirmed=False,
                   mismatch=(f"status: roster {status} (since {entry.fields.get('since')}), {claim}",))
