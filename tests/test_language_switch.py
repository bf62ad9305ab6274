"""The language switch offers the other language only, in both languages."""

from __future__ import annotations

from tests.conftest import post_form


def test_the_top_bar_offers_only_the_other_language(inspector_client):
    chinese = inspector_client.get("/visits").text
    assert 'value="en"' in chinese and 'value="zh_CN"' not in chinese
    post_form(inspector_client, "/language", {"lang": "en", "next": "/visits"})
    english = inspector_client.get("/visits").text
    assert 'value="zh_CN"' in english and 'value="en"' not in english
