"""Render a ``domain.documents.Document`` to A4 PDF bytes (fpdf2), fonts embedded.

The fonts live in ``chalicelib/fonts`` (so they ship in the Lambda package): Open Sans for Latin
letters and digits, Droid Sans Fallback for Chinese (every CJK ideograph of the Basic Multilingual
Plane). fpdf2 embeds each as a TrueType subset (/FontFile2) of exactly the glyphs printed, so every
viewer shows the same glyphs. A character neither font has is never a silent blank box: it prints
as "〓" (the typesetter's mark for a missing character) and a note at the end names its code point;
``Rendered.missing`` lists them for the caller.

The same document gives the same bytes: the creation date is the case event the document stands
for, and nothing else in the file depends on the clock.

Parsing the 4 MB CJK font is most of a render's time (fpdf2 reads its glyph table, metrics and cmap in
``add_font``, about 0.4 s); a warm function parses each font once (:class:`_ParsedFont`) and every
render embeds a copy of it, so the bytes are those of a font parsed afresh (tests/integration/
test_document_fonts.py renders each document both ways).
"""
from __future__ import annotations

import copy
import hashlib
import io
import threading
import warnings
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from fontTools.ttLib import TTFont
from msgspec import Struct

with warnings.catch_warnings():  # the Lambda package has no Pillow (no raster image here): not a log line to print
    warnings.filterwarnings("ignore", message="Pillow could not be imported", category=UserWarning)
    from fpdf import FPDF, FPDF_VERSION, FontFace
from fpdf.enums import TextMode
from fpdf.fonts import SubsetMap, TTFFont

from ..domain.cases.documents import Document, Heading, Paragraph, QrCode, Rows, Table

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
LATIN_FONT = FONT_DIR / "OpenSans-Regular-Latin.ttf"
CJK_FONT = FONT_DIR / "DroidSansFallback-GB18030BMP.ttf"
MISSING_MARK = "〓"
PRODUCER = f"subsidy-cross-province documents (fpdf2 {FPDF_VERSION})"
QR_SIZE_MM = 34.0
BODY_PT = 10.5
LINE_MM = 6.2
HEADER_FILL = (235, 235, 235)


class Rendered(Struct, frozen=True):
    body: bytes
    sha256: str
    missing: tuple[str, ...]  # characters the fonts lack, printed as 〓 and named in a note


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """Every code point one of the two fonts can draw."""
    points: set[int] = set()
    for path in (LATIN_FONT, CJK_FONT):
        font = TTFont(str(path), lazy=True)
        points.update(font.getBestCmap())
        font.close()
    return frozenset(points)


def missing_characters(text: str) -> tuple[str, ...]:
    """Characters of ``text`` (other than line breaks) that neither font has, in first-seen order."""
    have = covered()
    return tuple(dict.fromkeys(ch for ch in text if ch not in "\n\r\t" and ord(ch) not in have))


class _Pdf(FPDF):
    def __init__(self, document: Document, missing: tuple[str, ...]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.missing = frozenset(missing)

    def printable(self, text: str) -> str:
        return "".join(MISSING_MARK if ch in self.missing else ch for ch in text) if self.missing else text

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("latin", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"受理编号 {self.document.case_id}    第 {self.page_no()} 页 共 {{nb}} 页", align="C")
        self.set_text_color(0, 0, 0)


def render(document: Document, parse_fonts: bool = False) -> Rendered:
    """``parse_fonts``: parse the font files for this render, as fpdf2's ``add_font`` does (same bytes, slower)."""
    missing = missing_characters(document.text())
    pdf = _Pdf(document, missing)
    _setup(pdf, document, parse_fonts)
    pdf.add_page()
    _title(pdf, document.title)
    for block in document.blocks:
        if isinstance(block, Rows):
            _rows(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Heading):
            _heading(pdf, block.text)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block.text)
        elif isinstance(block, QrCode):
            _qr(pdf, block)
    if missing:
        names = "、".join(f"U+{ord(ch):04X}" for ch in missing)
        _paragraph(pdf, f"注：文中“{MISSING_MARK}”处为本系统字库未收录的字（{names}），以申请人证件所载为准。")
    body = bytes(pdf.output())
    return Rendered(body, hashlib.sha256(body).hexdigest(), missing)


class _PrivateGlyphs(dict):  # type: ignore[type-arg]
    """A font copy's glyphs: each glyph copied from the parsed font the first time it is read, so what the
    subsetter changes in a glyph (component ids) stays in this render's copy."""

    def __getitem__(self, name: str) -> Any:
        glyph = dict.__getitem__(self, name)
        if not getattr(glyph, "_private_copy", False):
            glyph = copy.copy(glyph)
            glyph._private_copy = True
            dict.__setitem__(self, name, glyph)
        return glyph


def _shallow(thing: Any) -> Any:
    """A copy of ``thing`` with its own lists and dicts (what fontTools' subsetter reassigns or edits)."""
    twin = copy.copy(thing)
    for name, value in vars(twin).items():
        if type(value) in (list, dict):
            setattr(twin, name, copy.copy(value))
    return twin


class _ParsedFont:
    """One font file parsed once per process: fpdf2's TTFFont (widths, cmap, glyph ids) over a fontTools TTFont
    with the tables fpdf2 and the subsetter read already decompiled. :meth:`for_pdf` hands a render its own
    copy: fpdf2 subsets the font it embeds in place and closes it after the output."""

    PRELOADED = ("vmtx",)  # the subsetter decompiles it in every render (0.08 s for the CJK font)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes()
        owner = FPDF()
        self.font = TTFFont(owner, path, "prototype", "")
        parsed = self.font.ttfont  # opened lazily from its path: read from memory from now on
        parsed.reader.file.close()
        parsed.reader.file = io.BytesIO(self.data)
        for tag in self.PRELOADED:
            if tag in parsed:
                parsed[tag]  # noqa: B018 - decompiled now, once
        if self.font.color_font is not None or self.font.is_cff:
            raise ValueError(f"{path.name}: only plain TrueType fonts are cached")

    def _ttfont(self) -> TTFont:
        parsed = self.font.ttfont
        twin = _shallow(parsed)
        twin.reader = copy.copy(parsed.reader)
        twin.reader.file = io.BytesIO(self.data)  # its own file: fpdf2 closes the font after the output
        twin.tables = {}
        for tag, table in parsed.tables.items():
            table_twin = _shallow(table)
            if tag == "glyf":
                table_twin.glyphs = _PrivateGlyphs(table.glyphs)
            elif tag == "cmap":
                table_twin.tables = [_shallow(subtable) for subtable in table.tables]
            twin.tables[tag] = table_twin
        return twin

    def for_pdf(self, pdf: FPDF, family: str) -> TTFFont:
        font = copy.copy(self.font)
        font.i = len(pdf.fonts) + 1
        font.fontkey = family
        font.cw = copy.copy(self.font.cw)
        font.glyph_ids = dict(self.font.glyph_ids)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        font.ttfont = self._ttfont()
        font.subset = SubsetMap(font)
        return font


_parsed: dict[Path, _ParsedFont] = {}
_parsing = threading.Lock()


def _add_font(pdf: FPDF, family: str, path: Path) -> None:
    """``pdf.add_font(family, fname=path)`` with the font parsed once per process (the same PDF bytes)."""
    with _parsing:
        parsed = _parsed.get(path) or _parsed.setdefault(path, _ParsedFont(path))
    pdf.fonts[family] = parsed.for_pdf(pdf, family)


def _setup(pdf: _Pdf, document: Document, parse_fonts: bool = False) -> None:
    if parse_fonts:  # fpdf2's own way, every time (the tests' reference)
        pdf.add_font("latin", fname=str(LATIN_FONT))
        pdf.add_font("cjk", fname=str(CJK_FONT))
    else:
        _add_font(pdf, "latin", LATIN_FONT)
        _add_font(pdf, "cjk", CJK_FONT)
    pdf.set_fallback_fonts(["cjk"], exact_match=False)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(datetime.fromisoformat(document.issued_at))
    pdf.set_title(document.title)
    pdf.set_subject(f"{document.title} {document.case_id}")
    pdf.set_author(document.issuer)
    pdf.set_creator("subsidy-cross-province")
    pdf.set_producer(PRODUCER)
    pdf.set_keywords(f"{document.kind} {document.case_id} v{document.version}")
    pdf.set_lang("zh-CN")
    pdf.set_font("latin", size=BODY_PT)


def _bold(pdf: _Pdf, on: bool) -> None:
    """Droid Sans Fallback has no bold face: titles are drawn filled and stroked instead."""
    pdf.text_mode = TextMode.FILL_STROKE if on else TextMode.FILL
    pdf.set_line_width(0.25 if on else 0.2)


def _title(pdf: _Pdf, title: str) -> None:
    pdf.set_font("latin", size=17)
    _bold(pdf, True)
    pdf.multi_cell(0, 10, pdf.printable(title), align="C", new_x="LMARGIN", new_y="NEXT")
    _bold(pdf, False)
    pdf.set_font("latin", size=BODY_PT)
    pdf.ln(3)


def _heading(pdf: _Pdf, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("latin", size=12.5)
    _bold(pdf, True)
    pdf.multi_cell(0, 8, pdf.printable(text), new_x="LMARGIN", new_y="NEXT")
    _bold(pdf, False)
    pdf.set_font("latin", size=BODY_PT)


def _paragraph(pdf: _Pdf, text: str) -> None:
    pdf.multi_cell(0, LINE_MM, pdf.printable(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _rows(pdf: _Pdf, block: Rows) -> None:
    label_style = FontFace(emphasis="", fill_color=HEADER_FILL)
    with pdf.table(col_widths=(26, 74), first_row_as_headings=False, line_height=LINE_MM,
                   padding=1.2) as table:
        for label, value in block.rows:
            row = table.row()
            row.cell(pdf.printable(label), style=label_style)
            row.cell(pdf.printable(value))
    pdf.ln(3)


def _table(pdf: _Pdf, block: Table) -> None:
    heading = FontFace(emphasis="", fill_color=HEADER_FILL)
    with pdf.table(col_widths=block.widths, headings_style=heading, line_height=LINE_MM, padding=1.2,
                   repeat_headings=1) as table:
        for cells in (block.header, *block.rows):
            row = table.row()
            for cell in cells:
                row.cell(pdf.printable(cell))
    pdf.ln(3)


def _qr(pdf: _Pdf, block: QrCode) -> None:
    """The QR code as vector squares (crisp at any print resolution), its caption and URL beside it."""
    code = segno.make(block.data, error="m", micro=False)
    if pdf.get_y() + QR_SIZE_MM > pdf.page_break_trigger:
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    modules = code.symbol_size(border=4)[0]
    step = QR_SIZE_MM / modules
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(code.matrix_iter(border=4)):
        start = None
        for col_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                pdf.rect(x + start * step, y + row_index * step, (col_index - start) * step, step, style="F")
                start = None
    pdf.set_xy(x + QR_SIZE_MM + 4, y + 8)
    pdf.multi_cell(0, LINE_MM, pdf.printable(f"{block.caption}\n{block.data}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(y + QR_SIZE_MM + 2)
