from django.contrib import admin
from django.urls import include, path

from luotsi.ecosystem.urls import me_urls, partner_urls

from .api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("reference/", include("luotsi.reference.urls")),
    path("customers/", include("luotsi.customers.urls")),
    path("ecosystem/", include("luotsi.ecosystem.urls")),
    path("partner/", include(partner_urls)),
    path("me/", include(me_urls)),
    path("evaluation/", include("luotsi.evaluation.urls")),
    path("indicators/", include("luotsi.indicators.urls")),
    path("", include("luotsi.core.urls")),
]
