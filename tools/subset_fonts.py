"""Rebuild the fonts the PDF documents embed (chalicelib/fonts/), reproducibly.

Sources: Debian's ``fonts-droid-fallback`` (Droid Sans Fallback, Apache-2.0: the Chinese glyphs) and
``fonts-open-sans`` (Open Sans, Apache-2.0: Latin letters, digits and punctuation, which Droid Sans
Fallback does not carry). Both are TrueType outlines (``glyf``), which fpdf2 embeds as /FontFile2.

    apt-get install fonts-droid-fallback fonts-open-sans
    .venv/bin/python -m tools.subset_fonts            # writes chalicelib/fonts/*.ttf
    .venv/bin/python -m tools.subset_fonts --check    # exit 1 if the committed files differ

Kept from Droid Sans Fallback: every CJK ideograph it has in the Basic Multilingual Plane — the whole
CJK Unified Ideographs block (U+4E00–U+9FA5, 20,902: every hanzi of GB 2312 and GBK) and Extension A
(U+3400–U+4DB5, 6,582), the ideographs GB 18030 requires in the BMP, so the BMP part of the
通用规范汉字表 (8,105) is covered — plus CJK punctuation, full-width forms and common symbols. Hangul,
kana and the rest are dropped. Characters outside the BMP (Extension B and later, a few rare name
characters among them) are in neither source: the renderer prints "〓" and names the code point.
Hinting is dropped (print and screen rasterisers do without it) and timestamps are kept, so the same
sources give the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS_DIR = Path(__file__).resolve().parent.parent / "chalicelib" / "fonts"
CJK_SOURCE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
LATIN_SOURCE = Path("/usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf")
CJK_TARGET = "DroidSansFallback-GB18030BMP.ttf"
LATIN_TARGET = "OpenSans-Regular-Latin.ttf"

CJK_RANGES = (
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》【】〓 …)
    (0x3200, 0x33FF),  # enclosed CJK letters, CJK compatibility (㈠ ㎡ …)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms (：，（）…)
    (0x2000, 0x206F),  # general punctuation (— … ‰ ※)
    (0x2100, 0x214F),  # letter-like symbols (℃ №)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (□ ■ ○ ●)
    (0x2600, 0x26FF),  # miscellaneous symbols (☐ ☑ ★)
)
LATIN_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 supplement, Latin Extended-A (¥ · × ü …)
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x20AC, 0x20AC),  # euro sign
)


def code_points(ranges: tuple[tuple[int, int], ...]) -> list[int]:
    return [c for low, high in ranges for c in range(low, high + 1)]


def subset_font(source: Path, target: Path, ranges: tuple[tuple[int, int], ...]) -> None:
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]  # keep the copyright, licence and designer records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]  # a signature is void once the font is subset
    font = TTFont(str(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points(ranges))
    subsetter.subset(font)
    font.save(str(target))


def build(into: Path) -> dict[str, str]:
    """Subset both sources into ``into``; the SHA-256 of each file written."""
    into.mkdir(parents=True, exist_ok=True)
    subset_font(CJK_SOURCE, into / CJK_TARGET, CJK_RANGES)
    subset_font(LATIN_SOURCE, into / LATIN_TARGET, LATIN_RANGES)
    return {name: hashlib.sha256((into / name).read_bytes()).hexdigest() for name in (CJK_TARGET, LATIN_TARGET)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead")
    args = parser.parse_args(argv)
    for source in (CJK_SOURCE, LATIN_SOURCE):
        if not source.exists():
            print(f"{source} is missing: apt-get install fonts-droid-fallback fonts-open-sans", file=sys.stderr)
            return 2
    if not args.check:
        for name, digest in build(FONTS_DIR).items():
            print(f"{digest}  chalicelib/fonts/{name} ({(FONTS_DIR / name).stat().st_size} bytes)")
        return 0
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        built = build(Path(scratch))
    differ = [name for name, digest in built.items()
              if hashlib.sha256((FONTS_DIR / name).read_bytes()).hexdigest() != digest]
    for name in differ:
        print(f"chalicelib/fonts/{name} differs from a fresh subset", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
