"""The page's top bar (templates/portal/_topbar.html) rendered once per what it shows and kept
in this process (issue 19: the bar's menu, language form, bell and links were half of the base
template on every page). The two things it shows that differ on every request — the CSRF token
and the path the language form returns to — are rendered as markers and put in afterwards,
escaped as the template escapes them: the bar is byte for byte what the template renders
(tests/portal/test_topbar.py)."""

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

TEMPLATE = "portal/_topbar.html"
_CSRF = "\x00csrf\x00"
_PATH = "\x00path\x00"
_memo: dict[tuple, str] = {}
MEMO_SIZE = 2000


def _key(context, request, user, menu) -> tuple | None:
    try:
        items = tuple((str(item["url"]), str(item["label"])) for item in menu)
    except (TypeError, KeyError):
        return None
    authenticated = bool(getattr(user, "is_authenticated", False))
    return (
        context.get("LANG"),
        str(context.get("town_name", "")),
        items,
        request.path if any(url == request.path for url, _ in items) else None,
        authenticated,
        str(context.get("unread_notifications", "")) if authenticated else None,
        str(user.display_name) if authenticated else None,
        bool(context.autoescape),
        get_script_prefix(),  # the bar's own {% url %}s
        get_urlconf(),
    )


class _MarkedRequest:
    """The request, but its full path is the marker."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)

    def get_full_path(self, *args, **kwargs):
        return _PATH


def _render(context, **values) -> str:
    flat = context.flatten()
    flat.update(values)
    return get_template(TEMPLATE).template.render(
        template.Context(flat, autoescape=context.autoescape)
    )


@register.simple_tag(takes_context=True)
def topbar(context):
    request = context.get("request")
    token = context.get("csrf_token")
    menu = context.get("menu")
    key = None
    if request is not None and token and str(token) != "NOTPROVIDED" and menu is not None:
        key = _key(context, request, context.get("user"), menu)
    if key is None:
        return mark_safe(_render(context))
    found = _memo.get(key)
    if found is None:
        found = _render(context, csrf_token=_CSRF, request=_MarkedRequest(request))
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = found
    return mark_safe(
        found.replace(_CSRF, conditional_escape(str(token))).replace(
            _PATH, conditional_escape(request.get_full_path())
        )
    )
