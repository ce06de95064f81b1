"""Admin: alliances and the service catalogue are maintained here (changes are audited);
referrals, consents and handovers are read-only here (they change only through services)."""

from django.contrib import admin

from luotsi.core.services import audit

from .models import (
    Alliance,
    AllianceMember,
    Consent,
    CustomerAccount,
    Handover,
    Referral,
    ServiceOffering,
)


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(
            actor=request.user,
            action="update" if change else "create",
            obj=obj,
            summary=str(obj),
            changes={k: str(form.cleaned_data.get(k)) for k in form.changed_data},
        )


class AllianceMemberInline(admin.TabularInline):
    model = AllianceMember
    extra = 1
    autocomplete_fields = ["organisation"]


@admin.register(Alliance)
class AllianceAdmin(AuditedAdmin):
    list_display = ["name", "area_code", "starts_on", "ends_on"]
    search_fields = ["name"]
    inlines = [AllianceMemberInline]


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(AuditedAdmin):
    list_display = ["name", "provider", "target_group", "language", "capacity", "active_from"]
    list_filter = ["target_group", "language", "is_public"]
    search_fields = ["name", "name_sv", "name_en", "provider__name"]
    filter_horizontal = ["municipalities"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["id", "offering", "provider", "status", "sent_at"]
    list_filter = ["status"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["id", "recipient", "purpose", "version", "given_at", "revoked_at"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["id", "to_organisation", "status", "deadline_on"]
    list_filter = ["status"]


@admin.register(CustomerAccount)
class CustomerAccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at"]
