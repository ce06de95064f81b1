"""Handovers keep one responsible party at every step; expiry; bouncing and gap detection."""

import datetime as dt

import pytest
from django.utils import timezone

from luotsi.customers.models import Responsibility
from luotsi.ecosystem import selectors, services
from luotsi.ecosystem.errors import EcosystemError
from luotsi.ecosystem.models import Handover, Referral
from luotsi.journey.models import JourneyEvent
from luotsi.kernel.calendar import add_working_days

pytestmark = pytest.mark.django_db


def responsible(customer):
    """Exactly one current responsibility (asserted), returned."""
    rows = Responsibility.objects.filter(customer=customer, ends_at__isnull=True)
    assert rows.count() == 1, "responsibility must never be empty or doubled"
    return rows.get()


def test_accept_moves_responsibility_without_gap(worker, colleague, customer):
    assert responsible(customer).worker == worker
    h = services.request_handover(
        actor=worker, customer=customer, to_worker=colleague, reason="Loma"
    )
    assert responsible(customer).worker == worker  # sender stays responsible until accepted
    assert h.deadline_on == add_working_days(timezone.localdate(), 5)
    services.accept_handover(actor=colleague, handover=h)
    assert responsible(customer).worker == colleague
    rows = list(Responsibility.objects.filter(customer=customer).order_by("starts_at"))
    assert rows[-2].ends_at == rows[-1].starts_at  # the same instant: no gap
    kinds = list(
        JourneyEvent.objects.filter(customer_id=customer.pk)
        .filter(kind__in=["handover.requested", "handover.accepted", "responsibility.assigned"])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds[-3:] == ["handover.requested", "handover.accepted", "responsibility.assigned"]


def test_team_handover_is_taken_by_a_team_member(worker, colleague, lead, team, customer):
    h = services.request_handover(actor=worker, customer=customer, to_unit=team)
    assert h in selectors.handovers_inbox(colleague)
    services.accept_handover(actor=colleague, handover=h)
    assert responsible(customer).worker == colleague and responsible(customer).unit == team


def test_decline_and_cancel_keep_the_sender(worker, colleague, lead, customer):
    h = services.request_handover(actor=worker, customer=customer, to_worker=colleague)
    with pytest.raises(EcosystemError, match="reason"):
        services.decline_handover(actor=colleague, handover=h, reason="")
    with pytest.raises(EcosystemError, match="Only the receiver"):
        services.accept_handover(actor=lead, handover=h)
    services.decline_handover(actor=colleague, handover=h, reason="Täysi kuorma")
    assert responsible(customer).worker == worker
    assert h in selectors.handover_alerts(worker)
    h2 = services.request_handover(actor=worker, customer=customer, to_worker=colleague)
    with pytest.raises(EcosystemError, match="waiting"):
        services.request_handover(actor=worker, customer=customer, to_worker=lead)
    services.cancel_handover(actor=worker, handover=h2)
    assert responsible(customer).worker == worker
    with pytest.raises(EcosystemError, match="you cannot accept it"):
        services.accept_handover(actor=colleague, handover=h2)
    assert responsible(customer).worker == worker


def test_expiry_returns_to_sender_with_alert(worker, colleague, customer):
    monday = dt.date(2025, 6, 16)
    h = services.request_handover(
        actor=worker, customer=customer, to_worker=colleague, today=monday, deadline_working_days=5
    )
    # 17, 18, 19, 23, 24 June: Friday 20.6.2025 is Midsummer Eve, not a working day.
    assert h.deadline_on == dt.date(2025, 6, 24)
    assert services.expire_overdue_handovers(dt.date(2025, 6, 24)) == 0
    assert services.expire_overdue_handovers(dt.date(2025, 6, 25)) == 1
    h.refresh_from_db()
    assert h.status == "expired" and responsible(customer).worker == worker
    assert h in selectors.handover_alerts(worker)
    assert (
        JourneyEvent.objects.filter(kind="handover.expired", customer_id=customer.pk).count() == 1
    )
    with pytest.raises(EcosystemError):
        services.accept_handover(actor=colleague, handover=h)
    services.acknowledge_handover(actor=worker, handover=h)
    assert h not in selectors.handover_alerts(worker)
    assert services.expire_overdue_handovers(dt.date(2025, 7, 1)) == 0


def test_accept_after_deadline_refused(worker, colleague, customer):
    h = services.request_handover(actor=worker, customer=customer, to_worker=colleague)
    with pytest.raises(EcosystemError, match="deadline"):
        services.accept_handover(
            actor=colleague, handover=h, today=h.deadline_on + dt.timedelta(days=1)
        )
    assert responsible(customer).worker == worker


def test_handover_outside_area_needs_consent(worker, partner, customer, ngo):
    with pytest.raises(EcosystemError, match="consent"):
        services.request_handover(actor=worker, customer=customer, to_organisation=ngo)
    assert not Handover.objects.exists()
    services.give_consent(
        actor=worker, customer=customer, recipient=ngo, purpose="handover", shared_fields=["name"]
    )
    h = services.request_handover(actor=worker, customer=customer, to_organisation=ngo)
    view = selectors.handover_customer_view(partner, h)
    assert view == {"name": "Aino Virtanen"}
    services.accept_handover(actor=partner, handover=h)
    r = responsible(customer)
    assert r.worker == partner and r.organisation == ngo


def test_other_area_cannot_request(other_area_worker, colleague, customer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.request_handover(actor=other_area_worker, customer=customer, to_worker=colleague)


# --- bouncing and gaps on constructed histories ---------------------------------------------------


def _referral(customer, offering, worker, *, sent_days_ago: int, status="rejected", started=None):
    return Referral.objects.create(
        customer=customer,
        offering=offering,
        provider=offering.provider,
        sender=worker,
        sender_organisation=worker.organisation,
        status=status,
        sent_at=timezone.now() - dt.timedelta(days=sent_days_ago),
        started_on=started,
    )


def test_bouncing_counts_moves_in_window_without_started_service(
    worker, register, offering, area_org
):
    today = timezone.localdate()
    bouncer, steady, old = register(), register(), register()
    for days in (5, 20, 40, 60):
        _referral(bouncer, offering, worker, sent_days_ago=days)
    for days in (5, 20, 40):
        _referral(steady, offering, worker, sent_days_ago=days)
    _referral(steady, offering, worker, sent_days_ago=10, status="started", started=today)
    for days in (100, 120, 5, 6):
        _referral(old, offering, worker, sent_days_ago=days)
    customers = selectors.alert_scope(worker)
    flags = selectors.bouncing(customers, today, max_moves=3, window_days=90)
    assert [f.customer for f in flags] == [bouncer]
    assert "4 times in 90 days" in flags[0].reasons[0]
    # a handover counts as a move too
    Handover.objects.create(
        customer=old,
        from_worker=worker,
        from_organisation=area_org,
        to_organisation=area_org,
        requested_by=worker,
        deadline_on=today,
        status="declined",
        requested_at=timezone.now() - dt.timedelta(days=3),
    )
    flagged = {
        f.customer for f in selectors.bouncing(customers, today, max_moves=2, window_days=90)
    }
    assert flagged == {bouncer, old}


def test_gap_in_responsibility_and_missing_service(worker, register, service_task, customer):
    today = timezone.localdate()
    with_gap = register()
    current = Responsibility.objects.get(customer=with_gap, ends_at__isnull=True)
    # constructed history: the first responsibility ended 10 days ago, the next began 7 days ago
    current.starts_at = timezone.now() - dt.timedelta(days=30)
    current.ends_at = timezone.now() - dt.timedelta(days=10)
    current.save()
    Responsibility.objects.create(
        customer=with_gap,
        enrolment=current.enrolment,
        worker=worker,
        organisation=worker.organisation,
        starts_at=timezone.now() - dt.timedelta(days=7),
        reason="other",
    )
    flags = {f.customer: f.reasons for f in selectors.gaps(selectors.alert_scope(worker), today)}
    assert any("No responsible party for 3 days" in r for r in flags[with_gap])
    # the service task is planned without a due date: not yet a gap
    assert customer not in flags
    service_task.due_on = today
    service_task.save()
    flags = {f.customer: f.reasons for f in selectors.gaps(selectors.alert_scope(worker), today)}
    assert any("Työpajajakso" in r for r in flags[customer])


def test_expire_command(worker, colleague, customer):
    from io import StringIO

    from django.core.management import call_command

    h = services.request_handover(actor=worker, customer=customer, to_worker=colleague)
    out = StringIO()
    call_command("expire_handovers", today=h.deadline_on + dt.timedelta(days=1), stdout=out)
    h.refresh_from_db()
    assert h.status == "expired" and "expired 1" in out.getvalue()


def test_open_customer_account_puts_user_in_group(worker, customer, make_user):
    user = make_user(username="aino")
    services.open_customer_account(actor=worker, user=user, customer=customer)
    assert user.groups.filter(name="customer").exists()
    with pytest.raises(EcosystemError, match="already has an account"):
        services.open_customer_account(actor=worker, user=make_user(), customer=customer)


def test_handovers_appear_in_the_caseload_queues(client, worker, colleague, customer):
    h = services.request_handover(
        actor=worker, customer=customer, to_worker=colleague, reason="Loma"
    )
    client.cookies["django_language"] = "en"
    client.force_login(colleague)
    page = client.get("/customers/").content.decode()
    assert "Customers waiting for me: handovers to accept" in page
    assert f"/customers/{customer.pk}/" in page
    services.decline_handover(actor=colleague, handover=h, reason="Ei tilaa")
    client.force_login(worker)
    page = client.get("/customers/").content.decode()
    assert "Handovers declined or expired" in page and f"/customers/{customer.pk}/" in page


@pytest.mark.parametrize(
    ("days_ago", "moves", "flagged"),
    [
        (89, 4, True),  # the oldest move is on the first day of the 90-day window
        (90, 4, False),  # ... one day before it: only 3 moves in the window
        (10, 3, False),  # exactly N = 3 moves is not "more than N"
    ],
)
def test_bouncing_window_and_count_edges(worker, register, offering, days_ago, moves, flagged):
    today = dt.date(2025, 6, 30)
    c = register()
    noon = dt.time(12)
    for i in range(moves):
        ago = days_ago if i == 0 else 1 + i
        r = _referral(c, offering, worker, sent_days_ago=0)
        r.sent_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=ago), noon))
        Referral.objects.filter(pk=r.pk).update(sent_at=r.sent_at)
    flags = selectors.bouncing(selectors.alert_scope(worker), today, max_moves=3, window_days=90)
    assert ([f.customer for f in flags] == [c]) is flagged
