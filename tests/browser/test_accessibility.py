"""Accessibility (issue 19.7: GB/T 37668-2019, WCAG 2.1 AA) of the public progress page and of every console page.

- axe-core (vendored, pinned: tests/browser/vendor/README.md) audits each page against the WCAG 2.0/2.1 A and AA
  rules; no violation of serious or critical impact may remain. The pages are the console's own: every role of
  the shell's NAV table (console/js/app.js, read from the running page), each signed in as that role's first demo
  user, every page of its menu — a page another change adds to NAV is audited with no change here — plus the
  sign-in page, a case page and the progress page.
- 适老化: the same pages in the large-text mode at 200 % zoom (a 1280×800 screen at 200 %: 640×400 CSS pixels) — no
  horizontal scrolling, the heading, the menu, the toggle and every button of the page on screen and not covered.
- The progress page with the keyboard alone: Tab to each field, type, Enter; the result is announced and focused.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, Desk, case_over_http
from tests.e2e.conftest import token
from tests.support.people import application, id_number

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_SHA256 = "e9e5863c33a874f09bc01acd9234b7e3c871479f5eef8802fa582544465e6d01"  # axe-core 4.11.0
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]  # the report counts best practice too
BLOCKING = {"serious", "critical"}
ZOOMED = {"width": 640, "height": 400}  # 1280×800 at 200 %
RECIPIENT_TOWNSHIP = "230104001"

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")) }));
}"""

# what 200 % must keep usable: nothing wider than the window, the key controls on screen and not covered
REFLOW = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push(`horizontal scroll: ${doc.scrollWidth} > ${window.innerWidth}`);
  const keys = [...document.querySelectorAll("h1, #nav a, #large-text, #large, main button, main a.button, form button")];
  for (const el of keys) {
    if (!el.getClientRects().length || el.closest("[hidden]")) continue;
    el.scrollIntoView({ block: "center", inline: "nearest" });
    const box = el.getBoundingClientRect();
    const name = `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 20)}"`;
    if (box.left < 0 || box.right > window.innerWidth + 0.5) { problems.push(`off screen: ${name}`); continue; }
    const x = Math.min(Math.max(box.left + Math.min(box.width / 2, 20), 0), window.innerWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 0), window.innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    if (top && top !== el && !el.contains(top) && !top.contains(el)) problems.push(`covered: ${name} by ${top.tagName}`);
  }
  return problems;
}"""


def axe_source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "tests/browser/vendor/axe.min.js is not axe-core 4.11.0"
    return data.decode("utf-8")


def audit(page: Any) -> list[dict[str, Any]]:
    """axe's violations of the page as it is now (axe injected through DevTools, not a <script>: the CSP holds)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return list(page.evaluate(RUN_AXE, WCAG_AA))


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING]


def shown(page: Any, hash_: str) -> str:
    """Open ``hash_`` in the console and wait until the router has rendered it (it titles the page last)."""
    # the page already shown was rendered and titled; another is rendered on hashchange
    page.evaluate("(h) => { if (location.hash !== h) { document.title = 'loading'; location.hash = h; } }", hash_)
    page.wait_for_function("() => document.title.endsWith('跨省通办工作台')")
    page.wait_for_load_state("networkidle")
    return str(page.locator("main h1").first.inner_text())


@pytest.fixture(scope="module")
def console_pages(browser: Any, console_server: str) -> dict[str, list[str]]:
    """The shell's NAV (role -> page addresses), read from the console as it runs."""
    page = browser.new_page()
    try:
        page.goto(f"{console_server}/console/#/signin")
        page.get_by_role("heading", name="登录", exact=True).wait_for()
        nav = page.evaluate("async () => (await import('/console/js/app.js')).NAV")
    finally:
        page.close()
    assert {"window", "reviewer", "supervisor", "admin", "dpf_admin"} <= set(nav)
    return {role: [href for href, _ in entries] for role, entries in nav.items()}


@pytest.fixture(scope="module")
def a_case(console_server: str) -> dict[str, str]:
    body = application(id_number(sequence="973"))
    case_id = case_over_http(console_server, body, ("push",))
    return {"case_id": case_id, "suffix": body["applicant"]["id_number"][-6:]}


LINKS = """() => [...document.querySelectorAll('main a[href^="#/"]')].map((a) => a.getAttribute("href"))"""


def walk(page: Any, pages: list[str]) -> Iterator[tuple[str, str]]:
    """(address, heading) of each page of ``pages`` as it is shown, and of the first page of each other kind that
    they link to (a case, an entitlement: #/case/{id}, #/entitlement/{id}), so detail pages are audited too."""
    kinds = {address.split("/")[1] for address in pages}
    queue = list(pages)
    while queue:
        address = queue.pop(0)
        yield address, shown(page, address)
        for link in page.evaluate(LINKS):
            kind = link.split("/")[1] if "/" in link else ""
            if kind and kind not in kinds:
                kinds.add(kind)
                queue.append(link)


def demo_user_of(base: str, role: str) -> str:
    users = requests.get(f"{base}/console/local/users", timeout=30).json()["users"]
    subs = [u["sub"] for u in users if u["role"] == role]
    assert subs, f"no demo user of role {role} in demo/units.json: add one so its pages are audited"
    return str(subs[0])


def signed_in(desk: Desk, sub: str) -> Any:
    page = desk.page
    page.goto(f"{desk.base}/console/")
    page.get_by_label("选择演示用户").select_option(sub)
    page.get_by_role("button", name="以此用户登录").click()
    page.wait_for_url(re.compile(r"#/(?!signin)[a-z-]+"))
    page.wait_for_function("() => document.title.endsWith('跨省通办工作台')")
    return page


@pytest.fixture(scope="module")
def a_recipient(console_server: str) -> str:
    """A township (道外区, no other browser test's) with an approved case: its reviewer's payments page links to an
    entitlement, so the entitlement page is audited too."""
    body = application(id_number(region="230104", sequence="977"), hukou_unit=RECIPIENT_TOWNSHIP)
    case_id = case_over_http(console_server, body, ("complete", "push"))
    decided = requests.post(f"{console_server}/cases/{case_id}/decision", timeout=30,
                            headers={"Authorization": f"Bearer {token('reviewer', RECIPIENT_TOWNSHIP)}"},
                            json={"outcome": "approved", "subsidies": [{"type": "living"}, {"type": "nursing"}],
                                  "reason": "符合条件"})
    assert decided.status_code == 200, decided.text
    return case_id


def every_page(console_pages: dict[str, list[str]], a_case: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """(who, pages): each NAV role as its first demo user (its cases and a case page for the two sides), then the
    reviewer of a township with a recipient (``reviewer@<unit>``, its payments page leading to an entitlement)."""
    for role, pages in sorted(console_pages.items()):
        extra = [f"#/case/{a_case['case_id']}"] if role in {"window", "reviewer"} else []
        yield role, pages + extra
    if "#/payments" in console_pages.get("reviewer", []):
        yield f"reviewer@{RECIPIENT_TOWNSHIP}", ["#/payments"]


def signed_in_as(desk: Desk, who: str) -> Any:
    """``who`` is a role (its first demo user) or role@unit (the picker)."""
    if "@" not in who:
        return signed_in(desk, demo_user_of(desk.base, who))
    role, unit = who.split("@")
    page = desk.page
    page.goto(f"{desk.base}/console/#/signin")
    page.get_by_label("角色", exact=True).select_option(role)
    page.get_by_label("单位代码").fill(unit)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"#/(?!signin)[a-z-]+"))
    page.wait_for_function("() => document.title.endsWith('跨省通办工作台')")
    return page


def test_axe_finds_no_serious_or_critical_violation_on_any_console_page(desks, console_server, console_pages, a_case,
                                                                       a_recipient):
    found: dict[str, list[dict[str, Any]]] = {}
    audited = []
    sign_in_desk = desks()
    sign_in_desk.page.goto(f"{console_server}/console/#/signin")
    sign_in_desk.page.get_by_role("heading", name="登录", exact=True).wait_for()
    found["signin"] = audit(sign_in_desk.page)
    audited.append("signin")
    for role, pages in every_page(console_pages, a_case):
        desk = desks()
        page = signed_in_as(desk, role)
        for address, heading in walk(page, pages):
            assert heading, f"{role} {address}: no heading"
            found[f"{role} {address} ({heading})"] = audit(page)
            audited.append(f"{role} {address}")
    print("audited:", ", ".join(audited))
    report = {page: [(v["impact"], v["id"], v["nodes"]) for v in violations] for page, violations in found.items()
              if violations}
    (SCREENSHOTS / "axe-report.json").parent.mkdir(exist_ok=True)
    (SCREENSHOTS / "axe-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    assert len(audited) >= 12
    assert {page: blocking(v) for page, v in found.items() if blocking(v)} == {}


def test_every_console_page_stays_usable_in_large_text_at_200_percent(desks, console_server, console_pages, a_case,
                                                                      a_recipient):
    problems: dict[str, list[str]] = {}
    for role, pages in every_page(console_pages, a_case):
        desk = desks()
        page = signed_in_as(desk, role)
        page.set_viewport_size(ZOOMED)
        toggle = page.get_by_role("button", name="大字模式（适老化）")
        if toggle.get_attribute("aria-pressed") != "true":
            toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
        for address, _ in walk(page, pages):
            found = list(page.evaluate(REFLOW))
            if found:
                problems[f"{role} {address}"] = found
        if role == "admin":
            shown(page, "#/materials")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SCREENSHOTS / "49-admin-materials-large-text-200-percent.png"))
    assert problems == {}


def test_the_progress_page_passes_axe_and_works_with_the_keyboard_alone(desks, console_server, a_case):
    desk = desks()
    page = desk.page
    page.goto(f"{console_server}/progress")
    assert blocking(audit(page)) == []

    page.keyboard.press("Tab")  # the large-text toggle comes first
    assert page.evaluate("document.activeElement.id") == "large"
    page.keyboard.press("Enter")
    expect(page.locator("#large")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "case"
    page.keyboard.type(a_case["case_id"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "suffix"
    page.keyboard.type(a_case["suffix"])
    page.keyboard.press("Enter")
    result = page.get_by_role("heading", name="查询结果")
    expect(result).to_be_focused()  # a screen reader reads on from the result
    expect(page.get_by_text(re.compile("当前状态："))).to_be_visible()
    expect(page.locator("#out ol li").first).to_contain_text("受理")
    assert blocking(audit(page)) == []

    page.set_viewport_size(ZOOMED)
    assert page.evaluate(REFLOW) == []
    page.screenshot(path=str(SCREENSHOTS / "50-progress-page-keyboard-large-text.png"), full_page=True)
    assert desk.csp_violations() == []


def test_screen_readers_hear_which_time_limit_each_badge_is(desks, console_server, a_case):
    desk = desks()
    page = signed_in_as(desk, "window")
    shown(page, f"#/case/{a_case['case_id']}")
    badges = page.locator("main .badge")
    expect(badges.first).to_be_visible()
    spoken = page.evaluate("""() => [...document.querySelectorAll("main .badge")].map((b) => ({
      said: b.querySelector(".sr-only")?.textContent || "",
      hidden: [...b.querySelectorAll("[aria-hidden=true]")].map((m) => m.textContent.trim()) }))""")
    phases = {"收件时限：", "推送时限：", "审核时限：", "补正时限：", "告知时限："}
    assert spoken and all(b["said"] in phases for b in spoken), spoken  # e.g. 推送时限：已按期完成
    assert all(set(b["hidden"]) <= {"⚠", "✓"} for b in spoken)  # the marks only repeat the words
