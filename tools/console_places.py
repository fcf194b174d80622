"""Write ``console/js/places.js``: the names of the provinces and of the current county-level units (GB/T 2260, the
table the PDFs name places from, ``chalicelib.domain.units.place_name``), so the console shows a unit by name with its
code — 黑龙江省道里区 230102001 — as the 受理回执 and the 结果通知书 do. Township and committee names have no table:
their codes stay the whole answer below the county.

``python -m tools.console_places`` (``tests/unit/test_console_places.py`` fails when the file is out of date).
"""
from __future__ import annotations

import json
from pathlib import Path

from stdnum import numdb

from chalicelib.domain.units import counties_within, county_name

TARGET = Path(__file__).resolve().parent.parent / "console" / "js" / "places.js"
PROVINCE_CODES = [f"{code:02d}" for code in range(11, 83)]


def provinces() -> dict[str, str]:
    names = {}
    for code in PROVINCE_CODES:
        parts = numdb.get("cn/loc").info(f"{code}0101")
        name = parts[0][1].get("province", "") if parts else ""
        if name and counties_within(code):
            names[code] = name
    return names


def counties() -> dict[str, str]:
    return {code: name for province in provinces() for code in counties_within(province)
            if (name := county_name(code))}


def console_module() -> str:
    compact = {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": True}
    return ("// Generated from chalicelib/domain/units.py's GB/T 2260 table (python -m tools.console_places): do not edit.\n"
            f"export const PROVINCES = {json.dumps(provinces(), **compact)};\n"
            f"export const COUNTIES = {json.dumps(counties(), **compact)};\n")


if __name__ == "__main__":
    TARGET.write_text(console_module(), encoding="utf-8")
    print(f"wrote {TARGET}")
