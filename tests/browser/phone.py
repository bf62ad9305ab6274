"""What the outbox scenario tests do on the phone: sign in and out, lose the network, fill a
visit, look into the phone's outbox (IndexedDB) and into the server's database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from inspect_app.config import TestConfig
from inspect_app.demo import DEMO_PASSWORDS
from tests.browser.conftest import wait_until
from tests.browser.live_server import SECOND_INSPECTOR
from tests.browser.test_visit_offline import rows
from tests.fixtures.visits import jpeg_bytes

#: The checklist items that always need a photo.
PHOTO_ITEMS = ("hygiene.cleanliness", "hygiene.price_list")
#: The finding every filled visit has: a failed staff item, with a comment, attributed to
#: someone other than who served (the hall's second person on the roster, see fill_visit).
FINDING = "appearance.badge_worn"
FINDING_COMMENT = "工牌未佩戴在左胸"
#: The halls' time zone, in which the phone's time fields are read (the live server's config).
HALLS_TZ = ZoneInfo(TestConfig.TIMEZONE)


def password(username: str) -> str:
    """The demo password of a demo user."""
    if username == SECOND_INSPECTOR[0]:
        return SECOND_INSPECTOR[1]
    return DEMO_PASSWORDS[username][1]


def sign_in(page, base: str, username: str = "inspector") -> None:
    """Sign in through the login page and land on the user's home page."""
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password(username))
    page.click("button.primary")
    page.wait_for_url(lambda url: "/login" not in url)


def sign_out(page, base: str, dialogs: list[str] | None = None) -> None:
    """Tap 退出; a confirm dialog (unsent items) is accepted and its text kept in dialogs."""

    def accept(dialog) -> None:
        if dialogs is not None:
            dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    try:
        page.locator("#logout-form button").tap()
        page.wait_for_url(f"{base}/login")
    finally:
        page.remove_listener("dialog", accept)


def go_offline(page, proxy) -> None:
    """Lose the signal: the connection is cut and the browser knows it is offline."""
    page.context.set_offline(True)
    proxy.cut()


def go_online(page, proxy) -> None:
    """The signal returns; the browser fires "online" as a phone does."""
    proxy.restore()
    page.context.set_offline(False)


def outbox(page) -> list[dict]:
    """Every record in the phone's outbox, whoever it belongs to (blobs left out)."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open("inspect-app", 2);
          open.onupgradeneeded = () => open.result.createObjectStore("outbox", {keyPath: "id", autoIncrement: true});
          open.onsuccess = () => {
            const req = open.result.transaction("outbox").objectStore("outbox").getAll();
            req.onsuccess = () => { open.result.close(); resolve(req.result.map(r => { const c = Object.assign({}, r); delete c.blob; return c; })); };
            req.onerror = () => reject(req.error);
          };
          open.onerror = () => reject(open.error);
        })"""
    )


def put_records(page, records: list[dict]) -> None:
    """Add records to the phone's outbox as outbox.js writes them (JSON-able fields only)."""
    page.evaluate(
        """records => new Promise((resolve, reject) => {
          const open = indexedDB.open("inspect-app", 2);
          open.onupgradeneeded = () => open.result.createObjectStore("outbox", {keyPath: "id", autoIncrement: true});
          open.onsuccess = () => {
            const t = open.result.transaction("outbox", "readwrite");
            records.forEach(r => {
              if (r.blobBase64) { const bytes = Uint8Array.from(atob(r.blobBase64), c => c.charCodeAt(0)); r.blob = new Blob([bytes], {type: "image/jpeg"}); delete r.blobBase64; }
              t.objectStore("outbox").add(r);
            });
            t.oncomplete = () => { open.result.close(); resolve(); };
            t.onerror = () => reject(t.error);
          };
          open.onerror = () => reject(open.error);
        })""",
        records,
    )


def kept_pages(page) -> set[str]:
    """The paths of the pages the phone keeps for use without signal."""
    return set(
        page.evaluate(
            """() => caches.open("inspect-pages-v1").then(c => c.keys())
                 .then(ks => ks.map(k => new URL(k.url).pathname))"""
        )
    )


def user_id(page) -> str:
    """The signed-in user's id, as the page tells its scripts."""
    return page.get_attribute('meta[name="inspect-user"]', "content")


def start_visit(page, base: str, index: int = 0) -> str:
    """Tap 开始暗访 on an assignment (online) and return the new visit's UUID."""
    page.locator("form.start-visit button").nth(index).tap()
    page.wait_for_url(lambda url: "/visits/" in url and "/offline/" not in url)
    page.wait_for_selector("#save-state:not(:empty)")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def visit_times(now: datetime | None = None) -> tuple[str, str]:
    """Arrival and departure an hour ago, as the phone's datetime-local fields take them."""
    now = (now or datetime.now(HALLS_TZ)).astimezone(HALLS_TZ)
    arrived = now - timedelta(hours=1)
    return arrived.strftime("%Y-%m-%dT%H:%M"), (arrived + timedelta(minutes=40)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def roster(page) -> list[str]:
    """The 工号 the visit form offers to pick from (the hall's roster on the visit date)."""
    return page.eval_on_selector_all(".served-option", "els => els.map(e => e.dataset.no)")


def choose_served(page, count: int = 1) -> list[str]:
    """Tap the first `count` people of the roster in the 接待员工 picker; return their 工号."""
    page.locator('#section-tabs button[data-goto="details"]').tap()
    chosen = roster(page)[:count]
    for number in chosen:
        page.locator(f'.served-option[data-no="{number}"]').tap()
    return chosen


def name_on_item(page, item_id: str, employee_no: str) -> None:
    """Open an item's attribution control and name someone else (or "?": not identified)."""
    page.locator(f'#section-tabs button[data-goto="{item_id.split(".", 1)[0]}"]').tap()
    item = page.locator(f'.item[data-item="{item_id}"]')
    if item.locator(".attr-edit").is_hidden():
        item.locator(".attr-change").tap()
    item.locator(".attr-select").select_option(employee_no)


# Answers every visible item as test_visit_offline.answer_item does, by tapping (el.click()) the
# options, so the page's own listeners run; items that appear on an answer are answered too.
# The finding names `employeeNo` on its item (added to the list if the page does not offer it,
# as a page kept on the phone may list someone the server no longer has on the roster).
_ANSWER_ALL = """([employeeNo, findingComment]) => {
  const form = document.getElementById("visit-form");
  const tap = input => { if (!input.checked) input.click(); };
  for (let round = 0; round < 5; round++) {
    form.querySelectorAll(".item[data-item]").forEach(el => {
      if (el.hidden) return;
      const id = el.dataset.item, kind = el.dataset.type;
      const config = el.dataset.config ? JSON.parse(el.dataset.config) : {};
      if (id === "appearance.badge_worn") {
        tap(el.querySelector(".seg-fail input"));
        const staff = el.querySelector(".attr-select");
        if (employeeNo && ![...staff.options].some(o => o.value === employeeNo)) staff.add(new Option(employeeNo, employeeNo));
        if (staff.value !== employeeNo) { staff.value = employeeNo; staff.dispatchEvent(new Event("change", {bubbles: true})); }
        const comment = el.querySelector("details.comment textarea");
        comment.value = findingComment; comment.dispatchEvent(new Event("input", {bubbles: true}));
      } else if (kind === "pass_fail") tap(el.querySelector(".seg-pass input"));
      else if (kind === "scale") tap(el.querySelector(".seg-" + config.max + " input"));
      else if (kind === "stars") tap(el.querySelector(".seg-5 input"));
      else if (kind === "choice") {
        const best = config.options.reduce((a, b) => (b.points > a.points ? b : a)).value;
        tap(el.querySelector(".seg-" + best + " input"));
      } else if (kind === "number") {
        const input = el.querySelector("input.number");
        if (input.value !== "3") { input.value = "3"; input.dispatchEvent(new Event("input", {bubbles: true})); }
      } else {
        const area = el.querySelector("textarea");
        if (!area.value) { area.value = "整体服务良好"; area.dispatchEvent(new Event("input", {bubbles: true})); }
      }
    });
  }
}"""


def fill_visit(
    page,
    tmp_path: Path,
    *,
    employee_no: str | None = None,
    photos: bool = True,
    served: bool = True,
) -> int:
    """Fill the whole default checklist; return how many items have answers.

    The first person on the roster served (unless `served` is False); the finding names
    `employee_no` on its item, by default the second person on the roster ("" names nobody).
    """
    page.locator('#section-tabs button[data-goto="details"]').tap()
    arrived, left = visit_times()
    page.fill("#visit_arrived_at", arrived)
    page.fill("#visit_left_at", left)
    page.fill("#visit_waiting_minutes", "5")
    if served:
        choose_served(page)
    if employee_no is None:
        employee_no = roster(page)[1]
    page.evaluate(_ANSWER_ALL, [employee_no, FINDING_COMMENT])
    if photos:
        for n, item_id in enumerate(PHOTO_ITEMS):
            take_photo(page, tmp_path, item_id, n)
    return page.evaluate(
        "() => [...document.querySelectorAll('.item[data-item]')].filter(el => !el.hidden).length"
    )


def take_photo(page, tmp_path: Path, item_id: str, seed: int = 0) -> None:
    """Pick a 2400×1800 JPEG from the gallery for an item; it waits in the outbox at once."""
    path = tmp_path / f"photo-{item_id}-{seed}.jpg"
    path.write_bytes(jpeg_bytes(seed, size=(2400, 1800)))
    section = item_id.split(".", 1)[0]
    page.locator(f'#section-tabs button[data-goto="{section}"]').tap()
    before = page.locator(f'.item[data-item="{item_id}"] figure.thumb').count()
    page.locator(f'.item[data-item="{item_id}"] .photo-add input:not([capture])').set_input_files(
        str(path)
    )
    wait_until(
        lambda: page.locator(f'.item[data-item="{item_id}"] figure.thumb').count() > before,
        timeout=10,
    )


def visit_row(db: str, uuid: str) -> dict | None:
    """The visit as the server stored it, or None."""
    found = rows(
        db,
        "SELECT id, status, return_comment, submit_refused_at, submit_errors "
        f"FROM inspections WHERE uuid = '{uuid}'",
    )
    if not found:
        return None
    id_, status, comment, refused_at, errors = found[0]
    if isinstance(errors, str):
        errors = json.loads(errors)
    return {
        "id": id_,
        "status": status,
        "return_comment": comment,
        "refused_at": refused_at,
        "errors": errors,
    }


def photo_rows(db: str, uuid: str) -> list[tuple]:
    """(item_id, photo uuid) of every photo stored for the visit."""
    return rows(
        db,
        "SELECT item_id, photos.uuid FROM photos JOIN inspections ON inspections.id = photos.inspection_id "
        f"WHERE inspections.uuid = '{uuid}' ORDER BY item_id",
    )


def answer_rows(db: str, uuid: str) -> list[tuple]:
    """(item_id, value, employee_no, comment) of every answer stored for the visit."""
    return rows(
        db,
        "SELECT item_id, value, employee_no, comment FROM answers JOIN inspections "
        f"ON inspections.id = answers.inspection_id WHERE inspections.uuid = '{uuid}' ORDER BY item_id",
    )
