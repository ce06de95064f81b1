from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "luotsi.indicators"
    label = "indicators"
    verbose_name = _("Knowledge-based management")

    def ready(self) -> None:
        from luotsi.core.navigation import NavItem, register

        from .permissions import DASHBOARD_ROLES

        register(NavItem("indicators:overview", _("Indicators"), DASHBOARD_ROLES, order=60))
