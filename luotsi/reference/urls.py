from django.urls import path

from . import views

app_name = "reference"
urlpatterns = [
    path("", views.areas, name="areas"),
    path("areas/<str:code>/", views.area_detail, name="area"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality"),
    path("pilots/<slug:code>/", views.pilot_detail, name="pilot"),
]
