"""Each page speaks its reader's language, on a full demo run (the organisation, three months of
visits, a second checklist version, a started visit, a proposed plan).

Chinese: each demo user signs in (Chinese is the default) and walks every page reachable from
its start page by links, each kind of page (endpoint and query keys) at most twice. A page's
visible text (tags, scripts and styles stripped; placeholders, titles, alt and aria-labels kept)
must hold no Latin word of three letters or more, except the allow-list below. Not read: codes an
admin needs, shown in elements of class "code", and English data shown as such (a checklist's
English text in a version diff), marked lang="en". An untranslated string, an English fallback
or a raw enum value shows here as an English word.

English: the checklist's English title and texts are shown wherever the checklist has them.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import sync_directory
from inspect_app.demo import DEMO_PASSWORDS, load_demo
from inspect_app.demo_history import load_demo_history
from inspect_app.extensions import db as database
from inspect_app.inspections.models import Assignment, AssignmentStatus, Inspection
from inspect_app.periods import month_of
from inspect_app.photos.storage import photo_storage
from tests.conftest import DEFAULT_CHECKLIST, _wipe, halls_today, post_form, sign_in

#: Latin words the Chinese UI may show, each for its reason.
ALLOWED = {
    # File formats and the product's own terms, written so in Chinese too.
    "pdf",
    "csv",
    "excel",
    "yaml",
    "xlsx",
    "png",
    "jpeg",
    "svg",
    "utf",  # UTF-8, the encoding a CSV file is in
    # The language switch names English in English, as every language switch does.
    "english",
    # The demo's sign-in names (data, not UI).
    *DEMO_PASSWORDS,
}
#: An e-mail address is data.
EMAIL = re.compile(r"\S+@\S+\.\w+")
WORD = re.compile(r"[A-Za-z]{3,}")
#: Attributes whose text a user sees or hears.
SHOWN_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}
#: Elements whose content is not shown as text.
HIDDEN_ELEMENTS = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class VisibleText(HTMLParser):
    """The text a user sees on a page, and the page's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        #: Open elements: (tag, hides its content).
        self._stack: list[tuple[str, bool]] = []

    def _hidden(self) -> bool:
        return any(hides for _tag, hides in self._stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        hides = (
            tag in HIDDEN_ELEMENTS
            or "code" in (values.get("class") or "").split()
            or (values.get("lang") or "").startswith("en")
        )
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if not self._hidden() and not hides:
            self.parts.extend(v for k, v in attrs if k in SHOWN_ATTRIBUTES and v)
            if tag == "input" and values.get("type") in {"submit", "button"}:
                self.parts.append(values.get("value") or "")
        if tag not in VOID:
            self._stack.append((tag, hides))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def english_words(html: str) -> tuple[list[str], list[str]]:
    """The page's English words (outside the allow-list) and its links."""
    parser = VisibleText()
    parser.feed(html)
    text = EMAIL.sub(" ", " ".join(parser.parts))
    words = [w for w in WORD.findall(text) if w.lower() not in ALLOWED]
    return words, parser.links


ENGLISH_TITLE = "Business hall mystery-shop checklist"
BADGE_EN = "Name badge (工牌) worn at the specified place (left chest)"
BADGE_EN_V2 = "Staff badge worn on the left chest"


@pytest.fixture(scope="module")
def demo(app, tmp_path_factory):
    """The demo organisation and three months of its history, and a second checklist version
    that rewords an item in both languages, loaded once (the tests read, or add what they undo)."""
    today = halls_today()
    source = DEFAULT_CHECKLIST.read_text(encoding="utf-8")
    assert BADGE_EN in source
    edited = tmp_path_factory.mktemp("v2") / DEFAULT_CHECKLIST.name
    edited.write_text(
        source.replace(BADGE_EN, BADGE_EN_V2).replace(
            "工牌佩戴于指定位置（左胸）", "工牌佩戴于左胸"
        ),
        encoding="utf-8",
    )
    with app.app_context():
        sync_directory([DEFAULT_CHECKLIST])
        load_demo(today)
        load_demo_history(photo_storage(), ZoneInfo("Asia/Shanghai"), today)
        sync_directory([edited])
        database.session.commit()
        yield
        _wipe(app)


def _start_pages(client, username: str) -> list[str]:
    """Pages a link does not reach: the inspector's visit form (a visit is started here), the
    review page of a visit, the plan page after a proposal (its problems flashed)."""
    if username == "inspector":
        assignment = database.session.scalars(
            select(Assignment).where(Assignment.status == AssignmentStatus.PUBLISHED)
        ).first()
        started = post_form(client, "/visits/start", {"assignment_id": assignment.id})
        assert started.status_code in (302, 303), started.text
        return ["/", started.headers["Location"], f"/visits/offline/{assignment.id}"]
    if username in ("admin", "reviewer"):
        visit = database.session.scalars(select(Inspection)).first()
        pages = ["/", f"/review/{visit.uuid}"]
        if username == "admin":
            month = month_of(month_of(halls_today()).end)
            checklist = database.session.scalar(select(Checklist))
            proposed = post_form(
                client,
                f"/admin/plan/propose?month={month.key}",
                {"checklist_id": checklist.id, "visits": "2"},
            )
            assert proposed.status_code == 302, proposed.text
            pages.insert(0, proposed.headers["Location"])  # its flashes show on the next page
        return pages
    return ["/"]


def _page_kind(app, url: str) -> tuple | None:
    """(endpoint, query keys) of an app page worth reading, or None (elsewhere, a download)."""
    parts = urlsplit(url)
    if parts.netloc or parts.scheme or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/photos/", "/static/", "/api/")):
        return None
    try:
        endpoint, _args = app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        return None
    return endpoint, tuple(sorted(k for k, _v in parse_qsl(parts.query)))


def walk(app, client, start: list[str], per_kind: int = 2) -> dict[str, list[str]]:
    """GET every HTML page reachable from `start`; {url: English words} of the pages with any."""
    seen: set[str] = set()
    kinds: Counter = Counter()
    queue = list(start)
    found: dict[str, list[str]] = {}
    while queue:
        url = queue.pop(0).split("#")[0]
        kind = _page_kind(app, url)
        if url in seen or kind is None or kinds[kind] >= per_kind:
            continue
        seen.add(url)
        kinds[kind] += 1
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, url
        if response.mimetype != "text/html":
            continue
        words, links = english_words(response.text)
        if words:
            found[url] = sorted(set(words))
        queue.extend(links)
    assert len(kinds) >= 3, kinds  # the walk reached more than the start page
    if os.environ.get("WALK_DEBUG"):
        print(sorted(seen))
    return found


def test_the_parser_reads_visible_text_and_skips_codes_and_scripts():
    html = (
        '<p>合格 <span class="code">appearance.badge</span></p><script>var x = "hello"</script>'
        '<input placeholder="Search"><a href="/x" title="营业厅">Next</a><style>p{}</style>'
        "<p>PDF · admin@example.com · inspector</p>"
    )
    words, links = english_words(html)
    assert words == ["Search", "Next"]
    assert links == ["/x"]


@pytest.mark.parametrize("username", list(DEMO_PASSWORDS))
def test_no_english_words_on_the_chinese_pages_of_each_role(app, demo, username):
    client = _signed_in(app, username, "zh_CN")
    found = walk(app, client, _start_pages(client, username))
    assert found == {}, f"English on {username}'s Chinese pages: {found}"


def _signed_in(app, username: str, lang: str):
    """A demo user signed in, in `lang` (a choice the user keeps: every test sets its own)."""
    client = app.test_client()
    assert sign_in(client, username, DEMO_PASSWORDS[username][1]).status_code == 302
    post_form(client, "/language", {"lang": lang, "next": "/"})
    return client


@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("inspector", ["/visits", "/visits/new?q=营业厅"]),
        ("admin", ["/admin", "/checklists", "/admin/plan"]),
        ("reviewer", ["/review", "/stores/1"]),
        ("manager", ["/stores/1"]),
    ],
)
def test_english_pages_show_the_checklists_english_title(app, demo, username, pages):
    client = _signed_in(app, username, "en")
    for url in pages:
        text = client.get(url).text
        assert ENGLISH_TITLE in text, url
        assert "营业厅暗访检查表" not in text, url


def test_the_version_diff_shows_english_item_texts_in_english(app, demo):
    client = _signed_in(app, "admin", "en")
    page = client.get("/checklists/business-hall-mystery-shop/diff?from=1&to=2").text
    assert ENGLISH_TITLE in page and "营业厅暗访检查表" not in page
    assert f"{BADGE_EN_V2} <span" in page  # the item named by its new English text
    assert f"{BADGE_EN} → {BADGE_EN_V2}" in page  # what changed in English, as it was typed
    chinese = _signed_in(app, "admin", "zh_CN")
    page = chinese.get("/checklists/business-hall-mystery-shop/diff?from=1&to=2").text
    assert "工牌佩戴于左胸 <span" in page and "营业厅暗访检查表" in page
