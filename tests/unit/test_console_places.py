"""console/js/places.js is generated from the GB/T 2260 table the PDFs name places from (tools/console_places.py)."""
from __future__ import annotations

from pathlib import Path

from chalicelib.domain.units import place_name
from tools.console_places import TARGET, console_module, counties, provinces

ROOT = Path(__file__).resolve().parents[2]


def test_the_consoles_table_of_places_is_up_to_date():
    assert TARGET == ROOT / "console" / "js" / "places.js"
    assert TARGET.read_text(encoding="utf-8") == console_module(), "run python -m tools.console_places"


def test_a_place_is_named_as_the_documents_name_it():
    names, known = provinces(), counties()
    for unit in ("230102001", "310101002", "420102001", "220102001"):
        assert f"{names[unit[:2]]}{known[unit[:6]]}" == place_name(unit)
    assert len(names) == 31 and "230100" not in known  # 31 provinces; a city's line is no county
