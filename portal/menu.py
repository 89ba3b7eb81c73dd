"""The menu: each app registers its pages with the roles that may use them (in its
AppConfig.ready), so the core never imports a domain app and no role sees a page it
cannot use."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


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


def register(item: MenuItem) -> None:
    _items[item.key] = item


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
