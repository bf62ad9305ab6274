"""axe-core (bundled with axe-playwright-python, so nothing downloads) on every page of each
role: no critical or serious violation. A failure names the role, the page, the rule and where."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.demo_states import (
    file_an_appeal,
    open_an_action,
    photo_dashboard,
    submit_a_visit,
)
from tests.browser.phone import sign_in

pytestmark = pytest.mark.browser

BLOCKING = {"critical", "serious"}


def _link(page, base: str, path: str, selector: str) -> str:
    """The first link matching selector on the page at path."""
    page.goto(f"{base}{path}")
    return page.locator(selector).first.get_attribute("href")


def _start_visit(page, base: str, state: dict) -> str:
    """The visit form of a visit the inspector starts once (a draft kept for the module)."""
    if "visit" not in state:
        page.goto(f"{base}/")
        page.locator("form.start-visit button").first.click()
        page.wait_for_url(lambda url: "/visits/" in url and "/offline/" not in url)
        state["visit"] = page.url.removeprefix(base)
    return state["visit"]


def _period(state: dict) -> str:
    return state["period"]


#: role -> page -> the path of the page (a string, or found from another page)
PAGES = {
    "inspector": {
        "home": "/",
        "visit form": _start_visit,
    },
    "reviewer": {
        "queue": "/review",
        "review page": lambda page, base, s: f"/review/{s['submitted']}",
        "appeals": "/review/appeals",
        "inspectors": "/review/inspectors",
        "hall dashboard with photos": lambda page, base, s: s["photo_dashboard"],
    },
    "manager": {
        "my halls": "/my-stores",
        "dashboard": lambda page, base, s: f"/stores/1?period={_period(s)}",
        "staff": lambda page, base, s: _link(
            page, base, f"/stores/1?period={_period(s)}", "table.staff-results a"
        ),
        "results": lambda page, base, s: f"/results/{s['appealable']}",
        "appeals and actions": "/actions",
        "action": lambda page, base, s: _link(page, base, "/actions", "table.actions-table a"),
        "ratings": lambda page, base, s: f"/ratings?period={_period(s)}",
    },
    "hr": {
        "exports": "/exports",
        "ratings": "/ratings",
        "roster": "/stores",
        "roster import": "/roster/import",
    },
    "admin": {
        "overview": "/admin",
        "users": "/admin/users",
        "checklists": "/checklists",
        "plan": "/admin/plan",
        "halls": "/stores",
        "regions": "/admin/regions",
    },
}


def _prepare(db_url: str, appealable: str) -> dict:
    """A visit waiting for review, an open corrective action and an open appeal, which the demo
    lacks, and the dashboard of a hall whose failed items have photos."""
    open_an_action(db_url)
    file_an_appeal(db_url, appealable)
    return submit_a_visit(db_url) | photo_dashboard(db_url)


@pytest.fixture(scope="module")
def signed_in(module_live_server, module_browser):
    """role -> a phone page signed in as that demo user (opened once per module)."""
    base = module_live_server["url"]
    state = {"appealable": module_live_server["appealable_uuid"]}
    state |= _prepare(module_live_server["db"], state["appealable"])
    contexts, pages = [], {}

    def page_for(role: str):
        if role not in pages:
            context = module_browser.new_context(
                viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN"
            )
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            sign_in(page, base, role)
            pages[role] = page
            if "period" not in state and role == "manager":
                page.goto(f"{base}/stores/1")
                option = page.locator("select[name=period] option").nth(1)
                state["period"] = option.get_attribute("value")
        return pages[role]

    yield page_for, base, state
    for context in contexts:
        context.close()


def _violations(page) -> list[str]:
    """The critical and serious violations axe finds on what the page shows now."""
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def _sections(page) -> list[str]:
    """The visit form's sections, one after another (axe skips hidden ones)."""
    found = []
    tabs = page.locator("#section-tabs button")
    for n in range(tabs.count()):
        tabs.nth(n).click()
        found += [f"section {n + 1}: {v}" for v in _violations(page)]
    return found


@pytest.mark.parametrize(
    ("role", "name"), [(role, name) for role, pages in PAGES.items() for name in pages]
)
def test_no_serious_accessibility_violations(signed_in, role, name):
    page_for, base, state = signed_in
    page = page_for(role)
    reach = PAGES[role][name]
    path = reach if isinstance(reach, str) else reach(page, base, state)
    response = page.goto(f"{base}{path}")
    assert response.status == 200, f"{role} · {name} ({path}): {response.status}"
    page.wait_for_load_state("load")
    found = _violations(page)
    if name == "visit form":
        page.wait_for_selector("#section-tabs:not([hidden])")
        found += _sections(page)
    assert found == [], f"{role} · {name} ({path}): {found}"
