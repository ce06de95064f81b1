from django.contrib import admin

from .models import AlertCrossing, AlertThreshold, AnalyticsJob


@admin.register(AnalyticsJob)
class AnalyticsJobAdmin(admin.ModelAdmin):
    list_display = ("started_at", "kind", "status", "events_inserted", "rows", "source", "actor")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in AnalyticsJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AlertThreshold)
class AlertThresholdAdmin(admin.ModelAdmin):
    list_display = (
        "indicator",
        "level",
        "group_code",
        "period_type",
        "direction",
        "value",
        "active",
    )
    list_filter = ("area_code", "level", "active")


@admin.register(AlertCrossing)
class AlertCrossingAdmin(admin.ModelAdmin):
    list_display = ("threshold", "period_start", "value", "detected_at")
    readonly_fields = ("threshold", "period_start", "value", "job", "detected_at")
