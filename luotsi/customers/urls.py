from django.urls import path

from .views import caseload, customer, details, plan

app_name = "customers"
urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("filters/", caseload.save_filter, name="save_filter"),
    path("team/", caseload.team, name="team"),
    path("team/rebalance/", caseload.rebalance, name="rebalance"),
    path("search/", customer.search, name="search"),
    path("new/", customer.register, name="register"),
    path("<uuid:pk>/", customer.detail, name="detail"),
    path("<uuid:pk>/contacts/", customer.add_contact, name="add_contact"),
    path("<uuid:pk>/meetings/", customer.add_meeting, name="add_meeting"),
    path("<uuid:pk>/meetings/<uuid:meeting_pk>/held/", customer.meeting_held, name="meeting_held"),
    path("<uuid:pk>/exit/", customer.exit_period, name="exit"),
    path("<uuid:pk>/reminders/", customer.add_reminder, name="add_reminder"),
    path("<uuid:pk>/details/", details.edit_details, name="edit_details"),
    path("<uuid:pk>/job-search/", details.job_search, name="job_search"),
    path("<uuid:pk>/status/", details.status, name="status"),
    path(
        "<uuid:pk>/meetings/<uuid:meeting_pk>/cancel/",
        details.cancel_meeting,
        name="cancel_meeting",
    ),
    path("<uuid:pk>/assessment/", plan.assessment, name="assessment"),
    path("<uuid:pk>/plan/", plan.plan_edit, name="plan"),
    path("<uuid:pk>/plan/print/", plan.plan_print, name="plan_print"),
]
