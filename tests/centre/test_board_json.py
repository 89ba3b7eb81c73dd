"""The board's JSON body kept per stamp (issue 19): byte for byte what DRF renders of the
board's data, first poll and later ones, in both languages; the browsable API and an indented
JSON are rendered as before."""

import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from centre.selectors import board as board_sel
from centre.selectors.stamp import change_stamp
from tests.centre.town import NOW, travel

pytestmark = pytest.mark.django_db


def _api(ctown, language):
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return api


def _old_body(language):
    """What the view answered before: DRF's JSONRenderer over the board's data."""
    with translation.override(language):
        stamp = change_stamp(NOW)
        shown, data = board_sel.board(NOW, stamp=stamp)
    assert shown == stamp
    return JSONRenderer().render(data, "application/json", {})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_kept_body_is_what_drf_renders_of_the_data(ctown, language):
    cache.clear()
    api = _api(ctown, language)
    with travel(NOW):
        first = api.get("/api/v1/centre/board/")
        second = api.get("/api/v1/centre/board/")
        old = _old_body(language)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == old
    assert first["Content-Type"] == second["Content-Type"] == "application/json"
    assert first["ETag"] == second["ETag"] == f'"{json.loads(old)["stamp"]}"'
    assert first["Cache-Control"] == second["Cache-Control"] == "private, no-cache"
    assert first["Vary"] == second["Vary"]


def test_both_languages_keep_their_own_body(ctown):
    cache.clear()
    with travel(NOW):
        zh = _api(ctown, "zh-hans").get("/api/v1/centre/board/")
        en = _api(ctown, "en").get("/api/v1/centre/board/")
        zh_again = _api(ctown, "zh-hans").get("/api/v1/centre/board/")
    assert zh["ETag"] != en["ETag"]
    assert zh_again.content == zh.content


def test_the_browsable_api_and_indented_json_still_render_the_data(ctown):
    cache.clear()
    api = _api(ctown, "zh-hans")
    with travel(NOW):
        plain = api.get("/api/v1/centre/board/")
        indented = api.get("/api/v1/centre/board/", HTTP_ACCEPT="application/json; indent=2")
        page = api.get("/api/v1/centre/board/", HTTP_ACCEPT="text/html")
    assert json.loads(indented.content) == json.loads(plain.content)
    assert indented.content != plain.content and b"\n  " in indented.content
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
