"""Read-only admin of evaluations and runs (runs are immutable; changes go through services)."""

from django.contrib import admin

from .models import Evaluation, EvaluationRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "outcome",
        "unit_level",
        "treatment_source",
        "created_by",
        "created_at",
    )
    search_fields = ("title", "outcome")


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "version", "status", "progress", "started_at", "finished_at")
    list_filter = ("status",)
    exclude = ("report_html",)
