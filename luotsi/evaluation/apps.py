from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "luotsi.evaluation"
    label = "evaluation"
    verbose_name = _("Impact evaluation")

    def ready(self) -> None:
        from luotsi.core.navigation import NavItem, register

        from .permissions import READER_ROLES

        register(NavItem("evaluation:list", _("Evaluations"), READER_ROLES, order=70))
