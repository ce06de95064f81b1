from django.contrib import admin

from .models import JourneyEvent


@admin.register(JourneyEvent)
class JourneyEventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "occurred_at",
        "recorded_at",
        "municipality_code",
        "organisation_id",
    )
    list_filter = ("kind",)
    search_fields = ("=customer_id",)
    readonly_fields = [f.name for f in JourneyEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
