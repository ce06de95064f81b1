"""The indicator catalogue: every definition with its formula, source, version and names."""

from __future__ import annotations

from django.shortcuts import render

from .. import selectors
from .common import dashboard_view


@dashboard_view
def catalogue(request):
    return render(
        request,
        "indicators/catalogue.html",
        {
            "entries": selectors.catalogue(),
            "lang": selectors.language(),
            "scope": selectors.scope(request.user),
        },
    )
