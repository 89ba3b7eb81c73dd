"""The menu: each app registers its pages with the roles that may use them (in its
AppConfig.ready), so the core never imports a domain app and no role sees a page it
cannot use."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url_name: str
    roles: tuple[str, ...]  # empty: every signed-in user; ("*",): everyone incl. anonymous
    description: str = ""
    order: int = 100
    icon: str = ""


_items: dict[str, MenuItem] = {}


# menu_for's answers by who may see what (signed in, superuser, role names) and where the URLs
# point (script prefix, URLconf): every page asked for the menu, ~20 items and their reverse()
# (issue 19: 1.9 % of the workers' time under the mixed load). Labels stay lazy: translated
# when the page is rendered.
_memo: dict[tuple, list[dict]] = {}


def register(item: MenuItem) -> None:
    _items[item.key] = item
    _memo.clear()


def items() -> list[MenuItem]:
    return sorted(_items.values(), key=lambda i: (i.order, i.key))


def _allowed(item: MenuItem, user) -> bool:
    if "*" in item.roles:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if not item.roles:
        return True
    return user.is_superuser or user.has_role(*item.roles)


def menu_for(user) -> list[dict]:
    authenticated = bool(getattr(user, "is_authenticated", False))
    key = (
        authenticated,
        authenticated and bool(user.is_superuser),
        frozenset(user.role_names) if authenticated else frozenset(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )
    found = _memo.get(key)
    if found is None:
        if len(_memo) > 1000:
            _memo.clear()
        found = _memo[key] = _build(user)
    return [dict(entry) for entry in found]


def _build(user) -> list[dict]:
    result = []
    for item in items():
        if not _allowed(item, user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "description": item.description,
                "icon": item.icon,
            }
        )
    return result
