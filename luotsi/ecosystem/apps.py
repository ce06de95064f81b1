from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcosystemConfig(AppConfig):
    name = "luotsi.ecosystem"
    label = "ecosystem"
    verbose_name = _("Service ecosystem")

    def ready(self) -> None:
        from luotsi.core.navigation import NavItem, register
        from luotsi.core.roles import AREA_STAFF, Role

        staff = tuple(sorted(AREA_STAFF))
        register(NavItem("ecosystem:catalogue", _("Services"), staff, order=40))
        register(NavItem("ecosystem:handovers", _("Handovers"), staff, order=41))
        register(NavItem("ecosystem:alerts", _("Bouncing and gaps"), staff, order=42))
        register(NavItem("ecosystem:alliances", _("Alliances"), staff, order=43))
        register(NavItem("partner:queue", _("Partner portal"), (Role.PARTNER_WORKER,), order=45))
        register(NavItem("me:home", _("My plan and services"), (Role.CUSTOMER,), order=5))

        from luotsi.customers.queues import ExtraQueue
        from luotsi.customers.queues import register as register_queue

        from .queues import handovers_back_with_me, handovers_waiting_for_me

        register_queue(
            ExtraQueue(
                "handovers_in",
                _("Customers waiting for me: handovers to accept"),
                handovers_waiting_for_me,
                10,
            )
        )
        register_queue(
            ExtraQueue(
                "handovers_back", _("Handovers declined or expired"), handovers_back_with_me, 20
            )
        )
