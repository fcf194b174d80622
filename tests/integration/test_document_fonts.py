"""The embedded fonts: what they cover, what happens to a character they lack, and that the committed
subsets are what tools/subset_fonts.py makes (reads the font files; no AWS)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from msgspec.structs import replace
from pypdf import PdfReader

from chalicelib.adapters.pdf import CJK_FONT, LATIN_FONT, MISSING_MARK, covered, missing_characters, render
from chalicelib.domain.cases.case import Case, Status
from chalicelib.domain.cases.documents import KINDS, build_document
from chalicelib.domain.rules.rules import one_time_notice
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, id_number
from tools import subset_fonts


def gb2312_hanzi() -> list[str]:
    found = []
    for point in range(0x4E00, 0xA000):
        try:
            chr(point).encode("gb2312")
        except UnicodeEncodeError:
            continue
        found.append(chr(point))
    return found


def a_case(name: str) -> Case:
    person = id_number()
    return Case(
        case_id="C20260924A1B2C3D4E5", status=Status.RESULT_RETURNED, accepting_unit=SHANGHAI_WINDOW,
        business_unit=HARBIN_TOWNSHIP, scope="cross_province", applied_on=date(2026, 9, 24),
        applied_at="2026-09-24T09:30:00+08:00", applicant={"name": name, "id_number": person},
        certificate={"number": person + "41"}, subsidies=("living", "nursing"), notice=one_time_notice(True),
        decision={"outcome": "rejected", "subsidies": [], "reason": "不符合条件（详见说明）",
                  "decided_on": "2026-10-20"})


def test_every_gb2312_hanzi_and_every_bmp_cjk_ideograph_is_in_the_fonts():
    have = covered()
    missing = [c for c in gb2312_hanzi() if ord(c) not in have]
    assert missing == [], f"{len(missing)} GB 2312 hanzi missing: {''.join(missing[:50])}"
    bmp = [*range(0x3400, 0x4DB6), *range(0x4E00, 0x9FA6)]  # Extension A and the unified block (GB 18030)
    absent = [f"U+{p:04X}" for p in bmp if p not in have]
    assert absent == [], f"{len(absent)} BMP ideographs missing, first {absent[:20]}"


def test_digits_latin_letters_and_chinese_punctuation_are_in_the_fonts():
    assert missing_characters("0123456789 ABCxyz @#%&*()-_/:?=.,;'\"，。、：；（）《》“”【】—…·¥") == ()


@pytest.mark.parametrize("kind", KINDS)
def test_every_fixed_text_the_documents_print_is_in_the_fonts(kind):
    case = replace(a_case("张三"), agent={"name": "李四", "id_number": id_number(sequence="246"), "relationship": "child"})
    assert missing_characters(build_document(case, kind, "http://127.0.0.1:8000/progress?case=C1").text()) == ()


def test_a_name_character_beyond_the_fonts_prints_as_a_marked_substitute_named_in_a_note():
    rendered = render(build_document(a_case("张𠀀䶮"), "result_notice", None))  # U+20000 (Ext B), U+4DAE (Ext A)
    assert rendered.missing == ("𠀀",)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.body)).pages)
    assert f"张{MISSING_MARK}䶮" in text and "U+20000" in text
    assert "𠀀" not in text  # never a silent blank box


def test_the_same_document_renders_to_the_same_bytes():
    document = build_document(a_case("张三"), "notice", None)
    assert render(document).body == render(document).body


@pytest.mark.skipif(not (subset_fonts.CJK_SOURCE.exists() and subset_fonts.LATIN_SOURCE.exists()),
                    reason="needs Debian's fonts-droid-fallback and fonts-open-sans (the subsets' sources)")
def test_the_committed_fonts_are_what_the_subsetting_script_makes_from_the_debian_sources():
    assert subset_fonts.main(["--check"]) == 0
    assert CJK_FONT.name == subset_fonts.CJK_TARGET and LATIN_FONT.name == subset_fonts.LATIN_TARGET


def test_a_font_parsed_once_renders_the_same_bytes_as_a_font_parsed_for_each_document():
    documents = [build_document(replace(a_case(name), agent=agent), kind, "http://127.0.0.1:8000/progress?case=C1")
                 for name, agent in (("张三", None), ("李四五", {"name": "王五", "id_number": id_number(sequence="246"),
                                                               "relationship": "child"}))
                 for kind in KINDS]
    # each document rendered from the parsed fonts after the others: nothing one render does stays in them
    for document in [*documents, *reversed(documents)]:
        assert render(document).body == render(document, parse_fonts=True).body, (document.kind, document.title)


# the documents without Pillow importable (the Lambda package leaves it out): fpdf2 draws no raster image here
WITHOUT_PILLOW = """
import sys
sys.modules["PIL"] = None  # import PIL raises ImportError
from chalicelib.adapters.pdf import render
from chalicelib.domain.cases.documents import build_document
from tests.integration.test_document_fonts import a_case
for kind in {kinds!r}:
    print(render(build_document(a_case("张三"), kind, "http://127.0.0.1:8000/progress?case=C1")).sha256)
assert not [name for name in sys.modules if name.startswith("PIL.")]
"""


def test_the_documents_are_the_same_bytes_without_pillow():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", WITHOUT_PILLOW.format(kinds=KINDS)],
                          cwd=root, capture_output=True, text=True, check=True)  # and fpdf2's warning kept quiet
    here = [render(build_document(a_case("张三"), kind, "http://127.0.0.1:8000/progress?case=C1")).sha256
            for kind in KINDS]
    assert done.stdout.split() == here
