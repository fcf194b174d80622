"""Who explains the subsidy's type and standard: the 业务属地's unit and its consultation phone (咨询电话), as configured.

民办发〔2021〕2号 step 6 (DOMAIN.md §2): 享受补贴政策的类型及标准由业务属地负责解释. The result notice and the approval SMS
therefore name the 业务属地's unit and its phone — never the 受理地 window's. Neither is in any code table, so each
is configuration: a version per scope (a 2-digit province, 4-digit city, 6-digit county or the 9-digit 业务属地
itself) from an effective date, the most specific scope with a version in force on the day winning. Where none is
in force the contact is *not configured*: the texts then name the unit by its place name and say that no phone is
set up (fail closed, visibly); they never fall back to the window.

The phone formats accepted are an engineering rule (no statute): a landline with its area code (and an extension),
a mobile number, or a 5-digit public service number such as 12345 or 12349.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from msgspec import Struct

from ..errors import Invalid, Malformed
from ..units import is_scope_code
from ..values import check_name

FIELDS = ("unit_name", "phone")
MAX_UNIT_NAME = 40
PHONE = re.compile(r"^(0[0-9]{2,3}-[0-9]{7,8}(-[0-9]{1,6})?|1[3-9][0-9]{9}|1[0-9]{4}|9[0-9]{4,5})$")


class ContactRule(Struct, frozen=True):
    """One stored version: from ``effective_from``, ``unit_name`` at ``phone`` explains the standard for ``scope``."""

    scope: str
    effective_from: date
    unit_name: str
    phone: str


class Contact(Struct, frozen=True):
    """The contact of one 业务属地 on one day; ``rule`` None: none configured (a set-up gap)."""

    unit: str
    rule: ContactRule | None

    @property
    def configured(self) -> bool:
        return self.rule is not None


def read_contact_rule(scope: object, effective_from: date, body: object) -> ContactRule:
    """``{unit_name, phone}`` for a scope of 2, 4, 6 or 9 digits."""
    if not is_scope_code(scope):
        raise Invalid("SCOPE_FORMAT", "scope must have 2, 4, 6 or 9 digits", "scope")
    assert isinstance(scope, str)
    if not isinstance(body, dict):
        raise Malformed("WRONG_TYPE", "the body must be an object {unit_name, phone}", "body")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{unknown[0]!r} is not one of {', '.join(FIELDS)}", unknown[0])
    for key in FIELDS:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise Malformed("WRONG_TYPE", f"{key} must be a string", key)
    name = body.get("unit_name")
    if not isinstance(name, str) or not name.strip():
        raise Malformed("MISSING_FIELD", "unit_name is required: the unit that explains the standard", "unit_name")
    name = name.strip()
    if len(name) > MAX_UNIT_NAME:
        raise Invalid("TOO_LONG", f"unit_name has at most {MAX_UNIT_NAME} characters", "unit_name")
    check_name(name, "unit_name")
    phone = body.get("phone")
    if not isinstance(phone, str) or not phone.strip():
        raise Malformed("MISSING_FIELD", "phone is required: the consultation phone of the unit", "phone")
    if not PHONE.match(phone.strip()):
        raise Invalid("PHONE_FORMAT", "phone is a landline with its area code (0451-84600000, an extension after "
                      "a second -), a mobile number or a 5-digit service number", "phone")
    return ContactRule(scope, effective_from, name, phone.strip())


def contact_in_force(rules: Iterable[ContactRule], unit: str, on: date) -> Contact:
    """The contact of the 业务属地 ``unit`` on ``on``: the newest version in force of its most specific scope."""
    in_force = [rule for rule in rules if unit.startswith(rule.scope) and rule.effective_from <= on]
    if not in_force:
        return Contact(unit, None)
    return Contact(unit, max(in_force, key=lambda rule: (len(rule.scope), rule.effective_from)))


def contact_view(contact: Contact) -> dict[str, Any]:
    """What the decision keeps (the notice and the SMS read it there) and ``GET /rules/{unit}`` shows."""
    rule = contact.rule
    return {"unit": contact.unit, "configured": rule is not None,
            "unit_name": rule.unit_name if rule else None, "phone": rule.phone if rule else None,
            "scope": rule.scope if rule else None,
            "effective_from": rule.effective_from.isoformat() if rule else None}


def stored_contact(value: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """(unit name, phone) from a decision's ``contact``; (None, None) for a decision stored without one."""
    if not value:
        return None, None
    return value.get("unit_name") or None, value.get("phone") or None
