"""Reference data is loaded from files (``luotsi reference load``); the admin only shows it."""

from django.contrib import admin

from luotsi.core.admin import ReadOnlyAdmin

from .models import (
    AreaMembership,
    EmploymentArea,
    Municipality,
    Pilot,
    PilotMembership,
    ReferenceImport,
    Region,
)


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_fi", "name_sv")


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_fi", "name_sv", "region", "valid_from", "valid_to")
    search_fields = ("code", "name_fi", "name_sv")
    list_filter = ("region",)


@admin.register(EmploymentArea)
class EmploymentAreaAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_fi", "valid_from", "valid_to")


@admin.register(Pilot)
class PilotAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_fi", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)


@admin.register(AreaMembership)
class AreaMembershipAdmin(ReadOnlyAdmin):
    list_display = ("area", "municipality", "valid_from", "valid_to", "status")
    list_filter = ("area",)


@admin.register(PilotMembership)
class PilotMembershipAdmin(ReadOnlyAdmin):
    list_display = ("pilot", "municipality", "valid_from", "valid_to", "status")
    list_filter = ("pilot", "status")


@admin.register(ReferenceImport)
class ReferenceImportAdmin(ReadOnlyAdmin):
    list_display = (
        "imported_at",
        "dataset",
        "source_name",
        "created",
        "updated",
        "unchanged",
        "actor",
    )
