"""The visit form says what the rules are: how many can be chosen as having served, one
corrective action per visit, why a 工号 is not found, and one message after a refused save."""

from __future__ import annotations

import re

import pytest

from inspect_app.auth.models import Role
from tests.conftest import post_form, sign_in
from tests.fixtures.visits import GONE, PHOTO_LIMIT, SERVED, VISIT_UUID, visit_day
from tests.inspections.test_attribution import _nojs_form
from tests.inspections.test_nojs_photos import (
    attach,
    full_form,
    noise_jpeg,
    photo_items,
    send,
)

#: A member of another hall (tests.conftest org).
OTHER_HALL = "00101"


def english(client) -> None:
    post_form(client, "/language", {"lang": "en", "next": "/visits"})


def served_fieldset(html: str) -> str:
    return html.split('id="item-visit.served_by"', 1)[1].split("</fieldset>", 1)[0]


def top_messages(html: str) -> list[str]:
    """The error messages shown at the top of the page: flashes and the form's banner."""
    return re.findall(r'<p class="flash flash-error"[^>]*>([^<]*)</p>', html)


def test_the_hint_gives_the_limit_of_who_served(db, visit):
    english(visit.client)
    served = served_fieldset(visit.client.get(f"/visits/{VISIT_UUID}").text)
    assert "usually one or two, at most 3." in served
    assert served.count('name="visit_served_by"') == 3  # as many slots as the hint says


def test_a_roster_search_that_finds_nothing_suggests_not_identified(db, visit):
    english(visit.client)
    served = served_fieldset(visit.client.get(f"/visits/{VISIT_UUID}").text)
    none = served.split('class="served-none"', 1)[1]
    assert "Nobody on the roster matches." in none
    assert "choose “Could not identify the person” and describe them" in none
    check = re.search(r'data-check-url="([^"]+)"', served).group(1).replace("&amp;", "&")
    assert check.startswith("/visits/roster-check?") and f"day={visit_day().isoformat()}" in check


def _check(client, number: str, **params):
    page = client.get(f"/visits/{VISIT_UUID}").text
    url = re.search(r'data-check-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    return client.get(url + "&no=" + number, **params)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (OTHER_HALL, "Employee no. 00101 belongs to another hall (北二营业厅 0102), not to the one visited."),
        ("0009999", "Employee no. 0009999 is not on any hall's roster."),
        ("00005", "Employee no. 00005 is marked as having left this hall."),
        (SERVED, None),
    ],
    ids=["other-hall", "unknown", "left", "on-roster"],
)  # fmt: skip
def test_the_roster_check_says_why_a_number_is_not_on_the_roster(
    db,
    hall_roster,
    visit,
    number,
    message,
):
    english(visit.client)
    response = _check(visit.client, number)
    assert response.status_code == 200
    assert response.json == {"no": number, "message": message}


def test_the_roster_check_names_the_date_a_person_left(db, hall_roster, visit):
    english(visit.client)
    message = _check(visit.client, GONE).json["message"]
    assert message.startswith(f"Employee no. {GONE} left this hall on ")
    assert message.endswith(", before the visit.")


def test_the_roster_check_refuses_bad_questions_and_other_roles(app, db, visit, make_user, org):
    store = org["stores"][0].id
    day = visit_day().isoformat()
    client = visit.client
    assert client.get(f"/visits/roster-check?store_id={store}&day=nope&no=1").status_code == 400
    assert client.get(f"/visits/roster-check?store_id={store}&day={day}").status_code == 400
    too_long = "1" * 33
    assert (
        client.get(f"/visits/roster-check?store_id={store}&day={day}&no={too_long}").status_code
        == 400
    )
    assert client.get(f"/visits/roster-check?store_id=999&day={day}&no=1").status_code == 404
    make_user(Role.MANAGER, username="mgr", stores=[org["stores"][0]])
    manager = app.test_client()
    assert sign_in(manager, "mgr").status_code == 302
    url = f"/visits/roster-check?store_id={store}&day={day}&no={SERVED}"
    assert manager.get(url).status_code == 403


def test_a_refused_save_without_javascript_shows_one_message(db, hall_roster, visit):
    """The default (Chinese) UI: the banner counting what is marked, no second flash."""
    form = _nojs_form(visit, "save")
    form["visit_served_by"] = [GONE]
    response = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert response.status_code == 422
    assert top_messages(response.text) == ["有 1 处需要处理，已在下方标出。"]


def test_a_save_refusing_only_photos_shows_one_message(db, visit, small_limits):
    form, _expected = full_form(visit, "save")
    attach(form, photo_items(visit)[0], noise_jpeg(PHOTO_LIMIT + 1, 5), "big.jpg")
    response = send(visit.client, form)
    assert response.status_code == 422 and "big.jpg" in response.text
    assert top_messages(response.text) == ["答案已保存为草稿；下方注明的照片未能保存。"]


def test_the_roster_check_refuses_a_missing_hall_or_day_and_strangers(app, db, visit, org):
    store = org["stores"][0].id
    day = visit_day().isoformat()
    client = visit.client
    assert client.get(f"/visits/roster-check?day={day}&no=1").status_code == 404
    assert client.get(f"/visits/roster-check?store_id=abc&day={day}&no=1").status_code == 404
    assert client.get(f"/visits/roster-check?store_id={store}&no=1").status_code == 400
    assert (
        client.get(f"/visits/roster-check?store_id={store}&day={day}&no=%20%20").status_code == 400
    )
    stranger = app.test_client()  # not signed in: no answer about anyone's roster
    response = stranger.get(f"/visits/roster-check?store_id={store}&day={day}&no={SERVED}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_section_buttons_are_a_pair_previous_and_next_section(db, visit):
    english(visit.client)
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    navs = re.findall(r'<div class="section-nav" hidden>(.*?)</div>', page)
    assert len(navs) == len(visit.definition.sections) + 1  # the visit's facts, then each section
    for nav in navs:
        labels = dict(
            re.findall(r'<button type="button" class="(prev|next)">([^<]*)</button>', nav)
        )
        assert labels.get("next") == "Next section"
        assert labels.get("prev", "Previous section") == "Previous section"  # never "Previous"
    assert sum('class="prev"' in nav for nav in navs) == len(visit.definition.sections)
