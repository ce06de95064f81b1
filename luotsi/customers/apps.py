from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "luotsi.customers"
    label = "customers"
    verbose_name = _("Customers and case work")

    def ready(self) -> None:
        from luotsi.core.navigation import NavItem, register
        from luotsi.core.roles import Role

        staff = (Role.RESPONSIBLE_WORKER, Role.TEAM_LEAD, Role.AREA_MANAGEMENT, Role.ADMINISTRATOR)
        register(NavItem("customers:caseload", _("My caseload"), staff[:2], order=10))
        register(NavItem("customers:search", _("Customers"), staff, order=20))
        register(
            NavItem("customers:team", _("Team"), (Role.TEAM_LEAD, Role.AREA_MANAGEMENT), order=30)
        )
