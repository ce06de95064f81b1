"""Read-only pages of reference data (public: no personal data here)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import EmploymentArea, Municipality, Pilot


def _day(request) -> tuple[dt.date, str]:
    raw = request.GET.get("date", "")
    if not raw:
        return timezone.localdate(), ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return timezone.localdate(), _("“%(value)s” is not a date; showing today.") % {"value": raw}


def areas(request):
    day, error = _day(request)
    rows = []
    counts = {}
    for area in selectors.areas_on(day).order_by("name_fi"):
        counts[area.code] = selectors.members_of_area(area.code, day).count()
        rows.append(area)
    context = {
        "day": day,
        "date_error": error,
        "areas": [(a, counts[a.code]) for a in rows],
        "municipality_count": selectors.municipalities_on(day).count(),
        "pilots": Pilot.objects.all(),
    }
    return render(request, "reference/areas.html", context)


def area_detail(request, code: str):
    day, error = _day(request)
    area = get_object_or_404(EmploymentArea, code=code)
    members = selectors.members_of_area(code, day).select_related("region")
    return render(
        request,
        "reference/area_detail.html",
        {"area": area, "day": day, "date_error": error, "members": members},
    )


def municipality_detail(request, code: str):
    try:
        municipality = selectors.municipality(code)
    except Municipality.DoesNotExist as exc:
        raise Http404(_("No municipality with code %(code)s") % {"code": code}) from exc
    return render(
        request,
        "reference/municipality_detail.html",
        {"municipality": municipality, "history": selectors.municipality_history(code)},
    )


def pilot_detail(request, code: str):
    pilot = get_object_or_404(Pilot, code=code)
    return render(
        request,
        "reference/pilot_detail.html",
        {"pilot": pilot, "memberships": selectors.members_of_pilot(code)},
    )
