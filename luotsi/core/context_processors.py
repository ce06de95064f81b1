from __future__ import annotations

from .navigation import items_for
from .roles import roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    return {
        "nav_items": items_for(user, request.path),
        "user_roles": sorted(r.label for r in roles_of(user)),
    }
