"""``at=``: a step entered afterwards is dated when it happened (the model's timestamps and the
journey event's ``occurred_at``) while the row is recorded now; a future or out-of-order ``at``
is refused and writes nothing."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from luotsi.core.models import AuditEntry
from luotsi.ecosystem import services
from luotsi.ecosystem.errors import EcosystemError
from luotsi.ecosystem.models import Consent, Handover, ProgressReport, Referral
from luotsi.journey.models import JourneyEvent

pytestmark = pytest.mark.django_db

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=HELSINKI)


def shown(moment: dt.datetime) -> str:
    """How an error message writes a time."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def events(customer, prefix: str) -> list[JourneyEvent]:
    return list(
        JourneyEvent.objects.filter(customer_id=customer.pk, kind__startswith=prefix).order_by("id")
    )


def counts():
    """What a refused step must not change."""
    return (
        JourneyEvent.objects.count(),
        Referral.objects.count(),
        Consent.objects.count(),
        Handover.objects.count(),
        ProgressReport.objects.count(),
        list(Referral.objects.order_by("pk").values_list("status", "sent_at", "decided_at")),
        list(Handover.objects.order_by("pk").values_list("status", "decided_at")),
    )


def give(worker, customer, ngo, when=None):
    return services.give_consent(
        actor=worker,
        customer=customer,
        recipient=ngo,
        purpose="service_referral",
        shared_fields=["name"],
        at=when,
    )


# --- referrals ------------------------------------------------------------------------------------


def test_referral_steps_get_the_given_times_and_are_recorded_now(
    worker, partner, customer, ngo, offering, service_task
):
    before = timezone.now()
    give(worker, customer, ngo, at(3, 2, 9))
    r = services.refer(
        actor=worker, customer=customer, offering=offering, task=service_task, at=at(3, 2)
    )
    services.accept_referral(actor=partner, referral=r, at=at(3, 5, 13))
    services.start_referral(actor=partner, referral=r, at=at(3, 10))
    services.report_progress(actor=partner, referral=r, text="Hyvin menee", at=at(3, 20, 14))
    services.complete_referral(actor=partner, referral=r, outcome="employed", at=at(4, 30, 15))
    r.refresh_from_db()
    assert (r.sent_at, r.decided_at) == (at(3, 2), at(3, 5, 13))
    # the dates default to the local day of at, not today
    assert (r.started_on, r.ended_on) == (dt.date(2026, 3, 10), dt.date(2026, 4, 30))
    assert ProgressReport.objects.get(referral=r).reported_on == dt.date(2026, 3, 20)
    assert [(e.kind, e.occurred_at) for e in events(customer, "referral.")] == [
        ("referral.drafted", at(3, 2)),
        ("referral.sent", at(3, 2)),
        ("referral.accepted", at(3, 5, 13)),
        ("referral.started", at(3, 10)),
        ("referral.progress_reported", at(3, 20, 14)),
        ("referral.completed", at(4, 30, 15)),
    ]
    assert Consent.objects.get(customer=customer).given_at == at(3, 2, 9)
    # ... but when it was entered is kept: now, not the backdated time
    assert r.created_at >= before
    assert ProgressReport.objects.get(referral=r).created_at >= before
    written = events(customer, "referral.") + events(customer, "consent.")
    assert len(written) == 7 and all(e.recorded_at >= before for e in written)


def test_reject_interrupt_and_revoke_take_at(worker, partner, customer, ngo, offering):
    give(worker, customer, ngo, at(3, 2, 9))
    rejected = services.refer(actor=worker, customer=customer, offering=offering, at=at(3, 2))
    services.reject_referral(actor=partner, referral=rejected, reason="Ei sovi", at=at(3, 4))
    interrupted = services.refer(actor=worker, customer=customer, offering=offering, at=at(3, 5))
    services.accept_referral(actor=partner, referral=interrupted, at=at(3, 6))
    services.start_referral(actor=partner, referral=interrupted, at=at(3, 9))
    services.interrupt_referral(actor=partner, referral=interrupted, reason="Muutti", at=at(4, 1))
    revoked = services.refer(actor=worker, customer=customer, offering=offering, at=at(3, 7))
    services.revoke_referral(actor=worker, referral=revoked, at=at(3, 8))
    rejected.refresh_from_db()
    interrupted.refresh_from_db()
    assert rejected.decided_at == at(3, 4) and interrupted.ended_on == dt.date(2026, 4, 1)
    last = {e.kind: e.occurred_at for e in events(customer, "referral.")}
    assert last["referral.rejected"] == at(3, 4)
    assert last["referral.interrupted"] == at(4, 1)
    assert last["referral.revoked"] == at(3, 8)


def test_without_at_the_steps_are_dated_now(worker, partner, customer, offering, consent):
    before = timezone.now()
    r = services.refer(actor=worker, customer=customer, offering=offering)
    services.accept_referral(actor=partner, referral=r)
    r.refresh_from_db()
    after = timezone.now()
    assert before <= r.sent_at <= r.decided_at <= after
    assert all(before <= e.occurred_at <= after for e in events(customer, "referral."))


def test_future_at_is_refused_and_nothing_is_written(worker, customer, offering, consent):
    state = counts()
    future = timezone.now() + dt.timedelta(hours=1)
    with pytest.raises(EcosystemError) as err:
        services.refer(actor=worker, customer=customer, offering=offering, at=future)
    assert err.value.code == "at_in_future"
    assert f"at={shown(future)}" in err.value.messages[0]
    assert counts() == state


def test_naive_or_date_at_is_a_programming_error(worker, customer, offering, consent):
    state = counts()
    for bad in (dt.datetime(2026, 3, 2, 10), dt.date(2026, 3, 2)):
        with pytest.raises(ValueError, match="at must be a timezone-aware datetime"):
            services.refer(actor=worker, customer=customer, offering=offering, at=bad)
    assert counts() == state


def test_accepting_before_sending_is_refused_naming_both_times(
    worker, partner, customer, ngo, offering
):
    give(worker, customer, ngo, at(3, 2, 9))
    r = services.refer(actor=worker, customer=customer, offering=offering, at=at(3, 10))
    state = counts()
    with pytest.raises(EcosystemError) as err:
        services.accept_referral(actor=partner, referral=r, at=at(3, 9))
    assert err.value.code == "at_out_of_order"
    message = err.value.messages[0]
    assert f"at={shown(at(3, 9))}" in message and f"referral.sent={shown(at(3, 10))}" in message
    assert counts() == state
    # the same time as the previous step is in order
    services.accept_referral(actor=partner, referral=r, at=at(3, 10))
    with pytest.raises(EcosystemError, match=r"referral\.accepted"):
        services.start_referral(actor=partner, referral=r, at=at(3, 10, 9))
    services.start_referral(actor=partner, referral=r, at=at(3, 11))
    with pytest.raises(EcosystemError, match=r"referral\.started"):
        services.complete_referral(actor=partner, referral=r, outcome="employed", at=at(3, 10, 11))


def test_sending_before_the_consent_was_given_is_refused(worker, customer, ngo, offering):
    give(worker, customer, ngo, at(3, 10))
    state = counts()
    with pytest.raises(EcosystemError) as err:
        services.refer(actor=worker, customer=customer, offering=offering, at=at(3, 9))
    assert err.value.code == "at_out_of_order" and "consent.given_at" in err.value.messages[0]
    assert counts() == state  # the draft rolled back with the refused send


# --- handovers ------------------------------------------------------------------------------------


def test_handover_steps_get_the_given_times_and_are_recorded_now(worker, colleague, customer):
    before = timezone.now()
    h = services.request_handover(
        actor=worker, customer=customer, to_worker=colleague, at=at(6, 16, 9)
    )
    # 17, 18, 22, 23, 24 June 2026: Friday 19.6.2026 is Midsummer Eve, not a working day.
    assert h.requested_at == at(6, 16, 9) and h.deadline_on == dt.date(2026, 6, 24)
    # accepted by the deadline (on the day of at, although today it has passed)
    services.accept_handover(actor=colleague, handover=h, at=at(6, 18, 13))
    h.refresh_from_db()
    assert h.status == "accepted" and h.decided_at == at(6, 18, 13)
    written = events(customer, "handover.")
    assert [(e.kind, e.occurred_at) for e in written] == [
        ("handover.requested", at(6, 16, 9)),
        ("handover.accepted", at(6, 18, 13)),
    ]
    assert all(e.recorded_at >= before for e in written)


def test_declined_handover_and_its_dismissal_take_at(worker, colleague, customer):
    before = timezone.now()
    h = services.request_handover(
        actor=worker, customer=customer, to_worker=colleague, at=at(6, 16)
    )
    state = counts()
    with pytest.raises(EcosystemError) as err:
        services.decline_handover(actor=colleague, handover=h, reason="Täynnä", at=at(6, 15))
    assert err.value.code == "at_out_of_order"
    assert f"requested_at={shown(at(6, 16))}" in err.value.messages[0]
    assert counts() == state
    services.decline_handover(actor=colleague, handover=h, reason="Täynnä", at=at(6, 17))
    with pytest.raises(EcosystemError, match="decided_at"):
        services.acknowledge_handover(actor=worker, handover=h, at=at(6, 16, 11))
    services.acknowledge_handover(actor=worker, handover=h, at=at(6, 18))
    h.refresh_from_db()
    assert (h.decided_at, h.acknowledged_at) == (at(6, 17), at(6, 18))
    audit = AuditEntry.objects.get(action="acknowledge", object_id=str(h.pk))
    assert audit.at >= before  # the audit trail keeps when it was entered


def test_expiry_and_cancel_take_at(worker, colleague, customer, register):
    h = services.request_handover(
        actor=worker, customer=customer, to_worker=colleague, at=at(6, 16)
    )
    assert services.expire_overdue_handovers(at=at(6, 24, 23)) == 0  # the deadline day
    assert services.expire_overdue_handovers(at=at(6, 25, 1)) == 1
    h.refresh_from_db()
    assert h.status == "expired" and h.decided_at == at(6, 25, 1)
    other = register(first_name="Eero")
    h2 = services.request_handover(actor=worker, customer=other, to_worker=colleague, at=at(7, 1))
    services.cancel_handover(actor=worker, handover=h2, at=at(7, 2))
    h2.refresh_from_db()
    assert h2.decided_at == at(7, 2)
    assert events(other, "handover.")[-1].occurred_at == at(7, 2)


def test_handover_future_or_before_the_responsibility_is_refused(worker, colleague, customer):
    state = counts()
    with pytest.raises(EcosystemError) as err:
        services.request_handover(
            actor=worker,
            customer=customer,
            to_worker=colleague,
            at=timezone.now() + dt.timedelta(minutes=5),
        )
    assert err.value.code == "at_in_future"
    # the customer's responsibility began when they registered (3.3.2025)
    with pytest.raises(EcosystemError) as err:
        services.request_handover(
            actor=worker, customer=customer, to_worker=colleague, at=at(3, 1, year=2025)
        )
    assert err.value.code == "at_out_of_order"
    assert "responsibility.starts_at" in err.value.messages[0]
    assert counts() == state


# --- consents -------------------------------------------------------------------------------------


def test_consent_versions_and_revocation_get_the_given_times(worker, customer, ngo):
    before = timezone.now()
    first = give(worker, customer, ngo, at(2, 2))
    second = give(worker, customer, ngo, at(2, 9))
    first.refresh_from_db()
    assert (first.given_at, first.superseded_at, second.given_at) == (at(2, 2), at(2, 9), at(2, 9))
    state = counts()
    with pytest.raises(EcosystemError) as err:
        services.revoke_consent(actor=worker, consent=second, at=at(2, 8))
    assert err.value.code == "at_out_of_order"
    assert f"given_at={shown(at(2, 9))}" in err.value.messages[0]
    with pytest.raises(EcosystemError, match=r"v2\.given_at"):
        give(worker, customer, ngo, at(2, 5))  # a new version before the current one
    with pytest.raises(EcosystemError) as err:
        give(worker, customer, ngo, timezone.now() + dt.timedelta(days=1))
    assert err.value.code == "at_in_future"
    assert counts() == state
    services.revoke_consent(actor=worker, consent=second, at=at(2, 20))
    second.refresh_from_db()
    assert second.revoked_at == at(2, 20)
    written = events(customer, "consent.")
    assert [(e.kind, e.occurred_at) for e in written] == [
        ("consent.given", at(2, 2)),
        ("consent.given", at(2, 9)),
        ("consent.revoked", at(2, 20)),
    ]
    assert all(e.recorded_at >= before for e in written)
    with pytest.raises(EcosystemError, match=r"v2\.revoked_at"):
        give(worker, customer, ngo, at(2, 19))  # after the revocation only
    give(worker, customer, ngo, at(2, 21))
