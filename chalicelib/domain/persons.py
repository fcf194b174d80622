"""The person key: what stands for a 公民身份号码 in every index (rosters, duplicate-receipt checks).

An ID number is never stored in clear in an index, and a plain hash would not hide it: the
space of valid numbers (address code × birth date × sequence) is small enough to enumerate.
The key is therefore an HMAC-SHA256 under a secret that lives only in the secret store
(``Config.person_key_secret``); whoever reads the table without the secret learns nothing.

Implements: no statute — an engineering rule. It keys the GB 11643 公民身份号码 (DOMAIN.md §5) so that the
duplicate-receipt checks (重复领取, DOMAIN.md §3: 黑民发〔2021〕6号 四(三); 民发〔2022〕79号) and the roster comparison
(民办发〔2021〕2号, DOMAIN.md §2) never keep a number in clear.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from .errors import Invalid

_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def normalize_id_number(value: str, field: str = "id_number") -> str:
    """The 18-character form (no spaces, uppercase ``X``); 422 if the shape is wrong.

    Only the shape is checked here (checksum, date and region are ``identity.validate_id_number``);
    the message never repeats the number.
    """
    number = value.replace(" ", "").upper()
    if not _SHAPE.fullmatch(number):
        raise Invalid("ID_NUMBER_FORMAT", "ID number must be 17 digits followed by a digit or X", field)
    return number


def person_key(id_number: str, secret: bytes) -> str:
    """HMAC-SHA256 (hex) of the normalized ID number under ``secret``: stable, one-way, keyed."""
    if not secret:
        raise ValueError("person_key needs a non-empty secret (PERSON_KEY_SECRET)")
    return hmac.new(secret, normalize_id_number(id_number).encode("ascii"), hashlib.sha256).hexdigest()
