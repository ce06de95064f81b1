from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("series/", views.series, name="series"),
    path("municipalities/", views.municipalities, name="municipalities"),
    path("teams/", views.teams, name="teams"),
    path("areas/", views.areas, name="areas"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/delete/", views.threshold_delete, name="threshold_delete"),
    path("export/", views.download, name="export"),
]
