"""The main navigation: each app registers its entries (with the roles that see them) on ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .roles import Role, has_role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: object  # a lazy translation
    roles: tuple[Role, ...] = ()  # empty = every signed-in user
    order: int = 100


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.url_name] = item


def items_for(user, current_path: str) -> list[dict]:
    result = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.url_name)):
        if item.roles and not has_role(user, *item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = current_path == url or (url != "/" and current_path.startswith(url))
        result.append({"url": url, "label": item.label, "current": current})
    return result
