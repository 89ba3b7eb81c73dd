"""The Content-Security-Policy allows scripts from our own files only: no 'unsafe-inline', and
nothing in the templates (or the API docs page) that would need it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=\s*[\"'a-z]", re.I)
JS_URL = re.compile(r"javascript:", re.I)
HTMX_ON = re.compile(r"\bhx-on|\bhx-vals=['\"]js:|\bhx-vars=", re.I)


def _policy(response) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/status/", "/api/docs/"])
def test_scripts_only_from_our_own_files(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not HANDLER.search(html)


@pytest.mark.django_db
def test_the_api_docs_start_up_script_is_a_file(client):
    html = client.get("/api/docs/").content.decode()
    src = re.search(r'<script src="([^"]*\?script[^"]*)"', html)
    assert src, "Swagger UI's start-up script should be loaded from a URL"
    script = client.get(src.group(1).replace("&amp;", "&"))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_no_template_holds_an_inline_script_or_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL, HTMX_ON):
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert found == []


@pytest.mark.django_db
def test_htmx_runs_without_eval(client):
    assert '"allowEval": false' in client.get("/").content.decode()
