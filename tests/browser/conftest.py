"""The web console in a real headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright).

One embedded default (``python -m tools.local``, what ``make run`` starts) serves the API and the
console at ``/console/``; each role signs in through the console's own picker in a browser context
of its own (a fresh profile each), at 1366×768. Screenshots go to ``tests/browser/screenshots/``.
Playwright never downloads a browser here: ``make browser`` installs Debian's chromium.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import token
from tests.support.moments import SERVER_NOW
from tests.support.people import SHANGHAI_WINDOW, pdf_bytes
from tools.local_server import local_server


def case_over_http(base: str, body: dict[str, Any], steps: tuple[str, ...], now: str | None = None) -> str:
    """The 上海 window accepts ``body`` over the API, uploads every material of its notice, then takes ``steps``
    (e.g. complete, push); ``now`` is the local stage's X-Clock-Now. The browser tests' background cases."""
    headers = {"Authorization": f"Bearer {token('window', SHANGHAI_WINDOW)}", **({"X-Clock-Now": now} if now else {})}
    case = requests.post(f"{base}/cases", json=body, headers=headers, timeout=30).json()
    case_id = str(case["case_id"])
    for item in case["notice"]["materials"]:
        content = pdf_bytes(item["code"])
        declared = {"code": item["code"], "filename": f"{item['code']}.pdf", "content_type": "application/pdf",
                    "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        registered = requests.post(f"{base}/cases/{case_id}/materials", json=declared, headers=headers,
                                   timeout=30).json()
        requests.post(registered["upload"]["url"], data=registered["upload"]["fields"],
                      files={"file": (declared["filename"], content, "application/pdf")}, timeout=30)
        requests.post(f"{base}/cases/{case_id}/materials/{registered['material_id']}/confirm",
                      headers=headers, timeout=30).raise_for_status()
    for step in steps:
        requests.post(f"{base}/cases/{case_id}/{step}", headers=headers, timeout=30).raise_for_status()
    return case_id

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
CONSOLE_ORIGIN = "http://console.example.test:8080"  # a console served elsewhere: CORS for it alone

pytestmark = pytest.mark.browser

AUDIT = """() => {
  const problems = [];
  for (const c of document.querySelectorAll("input, select, textarea")) {
    if (c.type === "hidden") continue;
    if (!(c.labels && c.labels.length) && !c.getAttribute("aria-label")) problems.push(`no label: ${c.name}`);
  }
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.getClientRects().length || el.closest("[hidden]")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${n.textContent.trim().slice(0, 30)}`);
  }
  return problems;
}"""


CSP_LISTENER = """document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolation(`${e.effectiveDirective} ${e.blockedURI}`));"""


MOTO_ENDPOINTS: dict[str, str] = {}  # console server -> the moto server inside it (for commands such as tools.jobs)


@pytest.fixture(scope="session")
def console_server() -> Iterator[str]:
    with local_server("--console-origin", CONSOLE_ORIGIN, "--sweep-every", "3600", now=SERVER_NOW) as (base, moto):
        MOTO_ENDPOINTS[base] = moto
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary user-data-dir of its own
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


class Desk:
    """One person at a browser: a context of its own, signed in through the console."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
        self.context.clock.set_fixed_time(datetime.fromisoformat(SERVER_NOW))  # the server's stated moment too
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        # every Content-Security-Policy violation of each document this desk loads, kept across reloads
        self.context.add_init_script(CSP_LISTENER)
        self.context.expose_binding("__cspViolation", lambda _source, text: self.violations.append(text))
        self.violations: list[str] = []

    def sign_in_demo(self, sub: str) -> Any:
        self.page.goto(f"{self.base}/console/")
        self.page.get_by_label("选择演示用户").select_option(sub)
        button = self.page.get_by_role("button", name="以此用户登录")
        button.focus()
        self.page.keyboard.press("Enter")  # keyboard: every action is a focusable control
        self.page.wait_for_url(re.compile(r"#/(cases|inbox|overdue)$"))
        return self.page

    def sign_in_as(self, role: str, unit: str) -> Any:
        self.page.goto(f"{self.base}/console/#/signin")
        self.page.get_by_label("角色", exact=True).select_option(role)
        self.page.get_by_label("单位代码").fill(unit)
        self.page.get_by_role("button", name="登录", exact=True).click()
        self.page.wait_for_url(re.compile(r"#/(cases|inbox|overdue)$"))
        return self.page

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def fits_the_office_screen(self) -> bool:
        """1366 wide without horizontal scrolling."""
        return bool(self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))

    def accessibility_problems(self) -> list[str]:
        """Form controls without a label, and text below WCAG AA contrast (4.5:1, 3:1 from 18.66px bold/24px)."""
        return list(self.page.evaluate(AUDIT))

    def csp_violations(self) -> list[str]:
        """The directive and blocked address of each CSP violation reported in this desk's pages."""
        return list(self.violations)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def desks(browser: Any, console_server: str) -> Iterator[Any]:
    opened: list[Desk] = []

    def open_desk() -> Desk:
        desk = Desk(browser, console_server)
        opened.append(desk)
        return desk

    yield open_desk
    for desk in opened:
        desk.close()
