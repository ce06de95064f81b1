from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "luotsi.reference"
    label = "reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from luotsi.core.navigation import NavItem, register

        register(NavItem("reference:areas", _("Employment areas"), order=90))
