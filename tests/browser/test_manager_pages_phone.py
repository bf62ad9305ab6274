"""Every page a store manager reaches fits a 360×740 phone: nothing scrolls sideways (the page
or a table inside it) and the values a manager looks for are on screen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.demo_states import file_an_appeal, open_an_action
from tests.browser.phone import sign_in

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740

# What scrolls sideways: the page itself, or any box inside it that overflows its width.
_SIDEWAYS = """() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth)
    out.push("the page: " + document.documentElement.scrollWidth + " px wide");
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (!["auto", "scroll"].includes(style.overflowX)) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      out.push((el.className || el.tagName) + ": " + el.scrollWidth + " px in " + el.clientWidth);
  }
  return out;
}"""


def _first_link(page, base: str, path: str, selector: str) -> str:
    page.goto(f"{base}{path}")
    return page.locator(selector).first.get_attribute("href")


def _previous_period(page, base: str) -> str:
    """The period before the current one (the demo's visits of this month may be few)."""
    page.goto(f"{base}/stores/1")
    return page.locator("select[name=period] option").nth(1).get_attribute("value")


#: (page, how to reach it, key values that must show inside the phone's width)
PAGES = {
    "home": (lambda page, base, s: "/", ["td.mean", "td.stars-cell .stars"]),
    "my-stores": (lambda page, base, s: "/my-stores", ["td.mean", "td.stars-cell .stars"]),
    "dashboard": (
        lambda page, base, s: f"/stores/1?period={s['period']}",
        [".stat .stars", "table.staff-results td.failed", "table.staff-results td.vetoes"],
    ),
    "staff": (
        lambda page, base, s: _first_link(
            page, base, f"/stores/1?period={s['period']}", "table.staff-results a"
        ),
        [".staff-hall .stat .num", ".trace-total"],
    ),
    "results": (
        lambda page, base, s: f"/results/{s['uuid']}",
        [".stat .num", "li.failed .appeal p.typed"],
    ),
    "appeals and actions": (
        lambda page, base, s: "/actions",
        ["table.actions-table td.due", "section.card ul.plain li a"],
    ),
    "action": (
        lambda page, base, s: _first_link(page, base, "/actions", "table.actions-table a"),
        ["li.failed strong"],
    ),
    "ratings": (
        lambda page, base, s: f"/ratings?period={s['period']}",
        ["td.mean", "td.stars-cell .stars"],
    ),
}


@pytest.fixture(scope="module")
def reopened_action(module_live_server):
    """An open, overdue corrective action and an open appeal (the widest rows of /actions)."""
    open_an_action(module_live_server["db"])
    file_an_appeal(module_live_server["db"], module_live_server["appealable_uuid"])


@pytest.fixture(scope="module", params=["zh", "en"])
def manager_phone(request, module_live_server, module_browser, reopened_action):
    """The demo manager, signed in on a 360×740 phone, in Chinese and in English (longer
    words: wider columns)."""
    context = module_browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = module_live_server["url"]
    sign_in(page, base, "manager")
    if request.param == "en":
        page.locator('form.lang button[value="en"]').click()
        page.wait_for_load_state("load")
        assert page.get_attribute("html", "lang") == "en"
    state = {"uuid": module_live_server["appealable_uuid"], "period": _previous_period(page, base)}
    yield page, base, state
    context.close()


def _outside(page, selector: str) -> str | None:
    """Why the first element matching selector is not seen inside the phone's width, or None."""
    found = page.locator(selector)
    if found.count() == 0:
        return f"{selector}: not on the page"
    element = found.first
    box = element.bounding_box()
    if not element.is_visible() or box is None:
        return f"{selector}: hidden"
    if box["x"] < 0 or box["x"] + box["width"] > WIDTH + 0.5:
        return f"{selector}: at x {box['x']:.0f}–{box['x'] + box['width']:.0f}, off screen"
    return None


@pytest.mark.parametrize("name", list(PAGES))
def test_manager_page_fits_a_360_px_phone(manager_phone, name):
    page, base, state = manager_phone
    reach, keys = PAGES[name]
    path = reach(page, base, state)
    response = page.goto(f"{base}{path}")
    assert response.status == 200, f"{name} ({path}): {response.status}"
    problems = page.evaluate(_SIDEWAYS)
    problems += [p for p in (_outside(page, key) for key in keys) if p]
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        lang = page.get_attribute("html", "lang")
        page.screenshot(path=str(ARTIFACTS / f"manager-360-{lang}-{name}.png"), full_page=True)
    assert problems == [], f"{name} ({path}) on a 360 px phone: {problems}"
