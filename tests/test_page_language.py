"""Each page speaks its reader's language, on a full demo run (the organisation, three months of
visits, a second checklist version, a started visit, a proposed plan).

Chinese: each demo user signs in (Chinese is the default) and walks every page reachable from
its start page by links, each kind of page (endpoint and query keys) at most twice. A page's
visible text (tags, scripts and styles stripped; placeholders, titles, alt and aria-labels kept)
and the text of the PDFs they link must hold no Latin word of three letters or more, except the allow-list below. Not read: codes an
admin needs, shown in elements of class "code", and English data shown as such (a checklist's
English text in a version diff), marked lang="en". An untranslated string, an English fallback
or a raw enum value shows here as an English word.

English: the checklist's English title and texts are shown wherever the checklist has them.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import time
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, NotFound

from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.checklists.operations import definition_of, sync_directory
from inspect_app.demo import DEMO_PASSWORDS, load_demo
from inspect_app.demo_history import load_demo_history
from inspect_app.extensions import db as database
from inspect_app.inspections.models import (
    Assignment,
    AssignmentStatus,
    Inspection,
    InspectionStatus,
)
from inspect_app.periods import month_of
from inspect_app.photos.storage import photo_storage
from inspect_app.reports.models import ExportJob
from inspect_app.review.models import Appeal, CorrectiveAction
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

    def __init__(self, other_lang: str = "en") -> None:
        super().__init__(convert_charrefs=True)
        #: Elements marked as in this language are data shown as such, not read.
        self.other_lang = other_lang
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
            or (values.get("lang") or "").startswith(self.other_lang)
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


def chinese_texts_of(definition: ChecklistDefinition) -> set[str]:
    """The checklist's Chinese texts that have an English one beside them."""
    texts = {definition.title} if definition.title_en else set()
    texts |= {s.title for s in definition.sections if s.title_en}
    return texts | {i.text for i in definition.items if i.text_en}


def chinese_checklist_texts(html: str, chinese: set[str]) -> tuple[list[str], list[str]]:
    """The checklist texts shown in Chinese on an English page, and the page's links. A text is
    found when it is a whole text of the page (between tags), as a title or an item is shown;
    one quoted inside typed text (a manager's note naming the item) is the writer's."""
    parser = VisibleText(other_lang="zh")
    parser.feed(html)
    return [p.strip() for p in parser.parts if p.strip() in chinese], parser.links


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
        _await_review()
        database.session.commit()
        yield
        _wipe(app)


def _await_review() -> None:
    """Put one approved visit with neither appeal nor corrective action back in the review
    queue, so the reviewer's walk reads a review page with its approve and return forms."""
    settled = select(Appeal.inspection_id).union(select(CorrectiveAction.inspection_id))
    visit = database.session.scalars(
        select(Inspection).where(Inspection.id.not_in(settled)).order_by(Inspection.id.desc())
    ).first()
    visit.status, visit.approved_at = InspectionStatus.SUBMITTED, None


def _start_pages(client, username: str) -> list[str]:
    """Pages a link does not reach: the error pages, the inspector's visit form (a visit is
    started here), the review page of a visit, the plan page after a proposal (its problems
    flashed)."""
    return ["/no-such-page", "/admin/users", *_role_pages(client, username), *_last_months_halls()]


def _last_months_halls() -> list[str]:
    """Each hall's dashboard for last month: its visit list (the chosen period's) links to the
    results pages. Halls a user may not see answer 404, which the walk reads as any page."""
    period = month_of(halls_today()).previous().key
    return [f"/stores/{store_id}?period={period}" for store_id in (1, 2)]


def _role_pages(client, username: str, lang: str = "zh_CN") -> list[str]:
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
            # The planner's problems, flashed once: the west region has no inspector.
            plan = client.get(proposed.headers["Location"]).text
            assert "flash-error" in plan and "城西片区" in plan
            assert english_words(plan)[0] == [] or lang == "en"
        return pages
    if username == "hr":
        # A workbook built, so the export page lists a job with its state and its download.
        period = month_of(halls_today()).previous().key
        assert post_form(client, "/exports", {"period": period}).status_code == 302
        job = database.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
        for _ in range(400):
            status = client.get(f"/exports/{job.id}/status").json["status"]
            if status in ("done", "failed"):
                break
            time.sleep(0.05)
        assert status == "done"
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
    except NotFound:
        endpoint = "not found"  # the error page is read too
    except HTTPException:
        return None
    return endpoint, tuple(sorted(k for k, _v in parse_qsl(parts.query)))


def pdf_english_words(data: bytes) -> list[str]:
    """The English words (outside the allow-list) of a PDF's text (pdftotext, poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [w for w in WORD.findall(EMAIL.sub(" ", text)) if w.lower() not in ALLOWED]


def walk(
    app, client, start: list[str], read=english_words, read_pdf=None, per_kind: int = 2
) -> tuple[dict[str, list[str]], set]:
    """GET every HTML page reachable from `start` (and the PDFs they link, if `read_pdf`):
    ({url: what `read` found} of the pages where it found anything, the endpoints read)."""
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
        pdf = response.mimetype == "application/pdf" and read_pdf is not None
        if pdf and (words := read_pdf(response.data)):
            found[url] = sorted(set(words))
        if response.mimetype != "text/html":
            continue
        words, links = read(response.text)
        if words:
            found[url] = sorted(set(words))
        queue.extend(links)
    return found, {endpoint for endpoint, _keys in kinds}


def test_the_parser_reads_visible_text_and_skips_codes_and_scripts():
    html = (
        '<p>合格 <span class="code">appearance.badge</span></p><script>var x = "hello"</script>'
        '<input placeholder="Search"><a href="/x" title="营业厅">Next</a><style>p{}</style>'
        "<p>PDF · admin@example.com · inspector</p>"
    )
    words, links = english_words(html)
    assert words == ["Search", "Next"]
    assert links == ["/x"]


SHARED = {"main.home", "not found", "ratings.store_ratings", "ratings.store_detail"}
RESULTS = {"review.results", "review.action_page", "ratings.staff_results"}
#: The pages each role's walk must read (at least).
REACHED = {
    "admin": SHARED | RESULTS | {"main.admin_overview", "accounts.users", "accounts.edit_user",
                                 "planning.plan", "checklists.index", "checklists.version",
                                 "checklists.diff", "checklists.upload", "review.queue",
                                 "review.inspection", "review.appeals", "review.inspectors",
                                 "stores.roster", "stores.regions", "stores.edit_store",
                                 "stores.edit_staff", "stores.roster_import", "reports.index"},
    "reviewer": SHARED | RESULTS | {"review.queue", "review.inspection", "review.appeals",
                                    "planning.plan", "checklists.diff"},
    "inspector": {"main.home", "not found", "inspections.home", "inspections.visit",
                  "inspections.offline_form", "inspections.view", "inspections.choose_store"},
    "manager": SHARED | RESULTS | {"stores.my_stores", "review.store_actions"},
    "hr": SHARED | RESULTS | {"reports.index", "stores.roster", "stores.roster_import"},
}  # fmt: skip


@pytest.mark.parametrize("username", list(DEMO_PASSWORDS))
def test_no_english_words_on_the_chinese_pages_of_each_role(app, demo, username):
    client = _signed_in(app, username, "zh_CN")
    found, read = walk(app, client, _start_pages(client, username), read_pdf=pdf_english_words)
    assert REACHED[username] <= read  # the walk read the role's pages
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
        ("reviewer", ["/review", "/stores/1?period=LAST"]),
        ("manager", ["/stores/1?period=LAST"]),
    ],
)
def test_english_pages_show_the_checklists_english_title(app, demo, username, pages):
    client = _signed_in(app, username, "en")
    for url in pages:
        # The dashboard's visit list names each visit's checklist: last month has visits.
        text = client.get(url.replace("LAST", month_of(halls_today()).previous().key)).text
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


@pytest.mark.parametrize("username", list(DEMO_PASSWORDS))
def test_no_chinese_checklist_texts_on_the_english_pages_of_each_role(app, demo, username):
    chinese: set[str] = set()
    for version in database.session.scalars(select(ChecklistVersion)):
        chinese |= chinese_texts_of(definition_of(version))
    client = _signed_in(app, username, "en")
    start = ["/", *_role_pages(client, username, "en"), *_last_months_halls()]
    read = functools.partial(chinese_checklist_texts, chinese=chinese)
    found, reached = walk(app, client, start, read=read)
    _signed_in(app, username, "zh_CN")  # the user's language back to the demo's
    assert REACHED[username] - {"not found"} <= reached
    assert found == {}, f"Chinese checklist texts on {username}'s English pages: {found}"
