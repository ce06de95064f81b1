"""Views of the core app: the home page (a role-aware start page) and health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .navigation import items_for


@login_required
def home(request):
    return render(request, "core/home.html", {"shortcuts": items_for(request.user, "")})


def health(request):
    """Liveness and database check for load balancers (no personal data)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        ok = cursor.fetchone()[0] == 1
    return JsonResponse({"status": "ok" if ok else "error", "database": connection.vendor})
