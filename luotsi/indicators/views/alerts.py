"""Alert thresholds (area management) and the alerts found by refreshes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import ThresholdForm, indicator_choices
from ..models import AlertThreshold
from ..permissions import can_manage_alerts, require_manage_alerts
from .common import base_context, dashboard_view


def _groups(scope, ctx):
    munis = sorted(selectors.area_municipalities(scope.area_code).items(), key=lambda kv: kv[1])
    return [(scope.area_code, ctx["area_name"]), *munis]


@dashboard_view
def alerts(request):
    scope = selectors.scope(request.user)
    ctx = base_context(request, scope)
    form = None
    if can_manage_alerts(request.user):
        form = ThresholdForm(request.POST or None, groups=_groups(scope, ctx))
        if request.method == "POST" and form.is_valid():
            try:
                services.create_threshold(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Alert threshold saved."))
                return redirect("indicators:alerts")
    elif request.method == "POST":
        require_manage_alerts(request.user)
    ctx.update(
        form=form,
        thresholds=selectors.thresholds_for(scope),
        crossings=selectors.crossings_for(scope, limit=100),
        group_names=dict(_groups(scope, ctx)),
        indicator_names=dict(indicator_choices()),
    )
    return render(request, "indicators/alerts.html", ctx)


@require_POST
@dashboard_view
def threshold_delete(request, pk: int):
    require_manage_alerts(request.user)
    threshold = get_object_or_404(
        AlertThreshold, pk=pk, area_code=request.user.organisation.employment_area_code
    )
    services.delete_threshold(actor=request.user, threshold=threshold)
    messages.success(request, _("Alert threshold removed."))
    return redirect("indicators:alerts")
