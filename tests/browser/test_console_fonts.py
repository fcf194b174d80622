"""The browser tests see Chinese (issue 19.8): the console's Chinese headings render with a CJK font, not as boxes.

Chromium says which platform fonts drew a node's text (DevTools' CSS.getPlatformFontsForNode); a heading whose
glyphs came from no CJK font is a failure, and names what drew it. `make browser` installs Debian's
fonts-noto-cjk with chromium, so the screenshots in tests/browser/screenshots/ show characters.
"""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def fonts_of(page: Any, selector: str) -> list[tuple[str, int]]:
    """(family, glyph count) of the platform fonts that drew the first node matching ``selector``."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no {selector} on the page"
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return [(font["familyName"], font["glyphCount"]) for font in fonts]
    finally:
        session.detach()


def test_the_console_s_chinese_heading_is_drawn_with_a_cjk_font(desks):
    desk = desks()
    desk.page.goto(f"{desk.base}/console/")
    heading = desk.page.locator("h1").first
    assert any("\u4e00" <= ch <= "\u9fff" for ch in heading.inner_text()), heading.inner_text()
    drawn = fonts_of(desk.page, "h1")
    cjk = [family for family, glyphs in drawn if glyphs and "CJK" in family.upper()]
    assert cjk, f"the heading {heading.inner_text()!r} was drawn with {drawn}: no CJK font (make browser installs " \
                "fonts-noto-cjk)"
    desk.shot("00-console-sign-in-with-a-cjk-font")
