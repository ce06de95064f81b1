"""URLs of the ecosystem: worker pages (/ecosystem/), the partner portal (/partner/) and customer
self-service (/me/). ``config/urls.py`` mounts ``urlpatterns``, ``partner_urls`` and ``me_urls``."""

from django.urls import path

from .views import me, partner, worker

app_name = "ecosystem"
urlpatterns = [
    path("", worker.catalogue, name="catalogue"),
    path("public/", worker.public_catalogue, name="public_catalogue"),
    path("customers/<uuid:pk>/", worker.customer_page, name="customer"),
    path("handovers/", worker.handovers, name="handovers"),
    path("alerts/", worker.alerts, name="alerts"),
    path("alliances/", worker.alliances, name="alliances"),
]

partner_urls = (
    [
        path("", partner.queue, name="queue"),
        path("referrals/<uuid:pk>/", partner.referral, name="referral"),
    ],
    "partner",
)

me_urls = ([path("", me.home, name="home")], "me")
