"""The referral state machine, consent rules, linked plan tasks and journey events."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from luotsi.customers.models import PlanTask
from luotsi.ecosystem import services
from luotsi.ecosystem.errors import EcosystemError
from luotsi.ecosystem.models import Consent, ProgressReport, Referral
from luotsi.journey.models import JourneyEvent

pytestmark = pytest.mark.django_db


def kinds(customer) -> list[str]:
    return list(
        JourneyEvent.objects.filter(customer_id=customer.pk, kind__startswith="referral.")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def snapshot():
    """Counts of everything a failed step must not change."""
    return (
        JourneyEvent.objects.count(),
        list(Referral.objects.order_by("pk").values_list("status", flat=True)),
        list(PlanTask.objects.order_by("pk").values_list("status", flat=True)),
        ProgressReport.objects.count(),
    )


def test_full_lifecycle_updates_task_and_writes_events(
    worker, partner, customer, offering, consent, service_task
):
    r = services.draft_referral(
        actor=worker, customer=customer, offering=offering, task=service_task
    )
    service_task.refresh_from_db()
    assert service_task.referral_id == r.pk and r.status == "draft"
    r = services.send_referral(actor=worker, referral=r)
    assert r.consent == consent and r.sent_at is not None
    r = services.accept_referral(actor=partner, referral=r)
    r = services.start_referral(actor=partner, referral=r)
    service_task.refresh_from_db()
    assert service_task.status == "in_progress"
    services.report_progress(actor=partner, referral=r, text="Hyvin menee")
    r = services.complete_referral(actor=partner, referral=r, outcome="employed")
    service_task.refresh_from_db()
    assert service_task.status == "done" and r.outcome == "employed" and r.ended_on
    assert kinds(customer) == [
        "referral.drafted",
        "referral.sent",
        "referral.accepted",
        "referral.started",
        "referral.progress_reported",
        "referral.completed",
    ]
    sent = JourneyEvent.objects.get(kind="referral.sent")
    assert sent.payload["provider_id"] == offering.provider_id
    assert sent.payload["offering_id"] == offering.pk
    assert sent.payload["task_id"] == str(service_task.pk)
    task_events = JourneyEvent.objects.filter(kind="plan_task.changed", customer_id=customer.pk)
    assert [e.payload["task_status"] for e in task_events.order_by("id")][-2:] == [
        "in_progress",
        "done",
    ]


@pytest.mark.parametrize(
    ("steps", "bad"),
    [
        ((), "accept"),  # a draft cannot be accepted
        ((), "start"),
        (("send",), "start"),  # sent -> started skips acceptance
        (("send",), "complete"),
        (("send", "accept"), "reject"),
        (("send", "accept"), "send"),
        (("send", "reject"), "accept"),
        (("send", "reject"), "revoke"),
        (("send", "accept", "start", "complete"), "interrupt"),
        (("send", "accept", "start", "complete"), "revoke"),
        (("send", "accept", "start", "interrupt"), "complete"),
        (("revoke",), "send"),
    ],
)
def test_invalid_transitions_raise_and_write_nothing(
    worker, partner, customer, offering, consent, steps, bad
):
    r = services.draft_referral(actor=worker, customer=customer, offering=offering)
    do = {
        "send": lambda r: services.send_referral(actor=worker, referral=r),
        "accept": lambda r: services.accept_referral(actor=partner, referral=r),
        "reject": lambda r: services.reject_referral(actor=partner, referral=r, reason="Täynnä"),
        "start": lambda r: services.start_referral(actor=partner, referral=r),
        "complete": lambda r: services.complete_referral(
            actor=partner, referral=r, outcome="no_change"
        ),
        "interrupt": lambda r: services.interrupt_referral(
            actor=partner, referral=r, reason="Sairaus"
        ),
        "revoke": lambda r: services.revoke_referral(actor=worker, referral=r),
    }
    for step in steps:
        r = do[step](r)
    before = snapshot()
    with pytest.raises(EcosystemError) as exc:
        do[bad](r)
    assert "so you cannot" in str(exc.value) and "possible only when" in str(exc.value)
    assert snapshot() == before


def test_send_needs_consent_to_that_recipient(worker, customer, offering, other_ngo):
    services.give_consent(
        actor=worker,
        customer=customer,
        recipient=other_ngo,
        purpose="service_referral",
        shared_fields=["name"],
    )
    r = services.draft_referral(actor=worker, customer=customer, offering=offering)
    before = snapshot()
    with pytest.raises(EcosystemError, match="consent"):
        services.send_referral(actor=worker, referral=r)
    assert snapshot() == before


def test_revoked_or_expired_consent_blocks_sending(worker, customer, offering, consent):
    services.revoke_consent(actor=worker, consent=consent)
    r = services.draft_referral(actor=worker, customer=customer, offering=offering)
    with pytest.raises(EcosystemError, match="consent"):
        services.send_referral(actor=worker, referral=r)
    assert Consent.objects.filter(pk=consent.pk, revoked_at__isnull=False).exists()


def test_reject_and_interrupt_need_reasons_and_cancel_the_task(
    worker, partner, customer, offering, consent, service_task
):
    r = services.refer(actor=worker, customer=customer, offering=offering, task=service_task)
    with pytest.raises(EcosystemError, match="reason"):
        services.reject_referral(actor=partner, referral=r, reason="  ")
    r = services.reject_referral(actor=partner, referral=r, reason="Ei paikkoja")
    service_task.refresh_from_db()
    assert service_task.status == "cancelled" and r.reason == "Ei paikkoja"
    assert JourneyEvent.objects.get(kind="referral.rejected").payload["reason"] == "Ei paikkoja"


def test_revoke_by_sender_cancels_task(worker, customer, offering, consent, service_task):
    r = services.refer(actor=worker, customer=customer, offering=offering, task=service_task)
    services.revoke_referral(actor=worker, referral=r, reason="Asiakas työllistyi")
    service_task.refresh_from_db()
    assert service_task.status == "cancelled"


def test_only_provider_acts_and_only_sender_area_sends(
    worker, partner, other_partner, other_area_worker, customer, offering, consent
):
    with pytest.raises(PermissionDenied):
        services.draft_referral(actor=other_area_worker, customer=customer, offering=offering)
    with pytest.raises(PermissionDenied):
        services.draft_referral(actor=partner, customer=customer, offering=offering)
    r = services.refer(actor=worker, customer=customer, offering=offering)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.accept_referral(actor=other_partner, referral=r)
    with pytest.raises(PermissionDenied):
        services.revoke_referral(actor=partner, referral=r)
    assert snapshot() == before


def test_provider_cannot_act_after_consent_revoked(worker, partner, customer, offering, consent):
    r = services.refer(actor=worker, customer=customer, offering=offering)
    services.revoke_consent(actor=worker, consent=consent)
    with pytest.raises(EcosystemError, match="consent"):
        services.accept_referral(actor=partner, referral=r)


def test_capacity_limits_acceptance(worker, partner, register, offering, ngo):
    referrals = []
    for _ in range(3):
        c = register()
        services.give_consent(
            actor=worker,
            customer=c,
            recipient=ngo,
            purpose="service_referral",
            shared_fields=["name"],
        )
        referrals.append(services.refer(actor=worker, customer=c, offering=offering))
    services.accept_referral(actor=partner, referral=referrals[0])
    services.accept_referral(actor=partner, referral=referrals[1])
    with pytest.raises(EcosystemError, match="no free places"):
        services.accept_referral(actor=partner, referral=referrals[2])


def test_task_of_another_customer_is_refused(worker, register, offering, service_task):
    other = register()
    with pytest.raises(EcosystemError, match="another customer"):
        services.draft_referral(actor=worker, customer=other, offering=offering, task=service_task)


def test_dates_are_checked(worker, partner, customer, offering, consent):
    r = services.refer(actor=worker, customer=customer, offering=offering)
    r = services.accept_referral(actor=partner, referral=r)
    with pytest.raises(EcosystemError, match="future"):
        services.start_referral(
            actor=partner, referral=r, started_on=dt.date.today() + dt.timedelta(days=3)
        )
    r = services.start_referral(actor=partner, referral=r, started_on=dt.date.today())
    with pytest.raises(EcosystemError, match="before the start"):
        services.complete_referral(
            actor=partner,
            referral=r,
            outcome="employed",
            ended_on=dt.date.today() - dt.timedelta(days=1),
        )
    with pytest.raises(EcosystemError, match="outcome"):
        services.complete_referral(actor=partner, referral=r, outcome="famous")


def test_consent_versions_and_whitelist(worker, customer, ngo):
    c1 = services.give_consent(
        actor=worker,
        customer=customer,
        recipient=ngo,
        purpose="service_referral",
        shared_fields=["name"],
    )
    c2 = services.give_consent(
        actor=worker,
        customer=customer,
        recipient=ngo,
        purpose="service_referral",
        shared_fields=["name", "email"],
    )
    c1.refresh_from_db()
    assert (c1.version, c2.version) == (1, 2) and c1.superseded_at is not None and c2.is_active()
    with pytest.raises(EcosystemError, match="cannot be shared"):
        services.give_consent(
            actor=worker,
            customer=customer,
            recipient=ngo,
            purpose="service_referral",
            shared_fields=["personal_identity_code"],
        )
    with pytest.raises(EcosystemError, match="replaced"):
        services.revoke_consent(actor=worker, consent=c1)
    events = JourneyEvent.objects.filter(kind="consent.given", customer_id=customer.pk)
    assert [e.payload["consent_version"] for e in events.order_by("id")] == [1, 2]
    services.revoke_consent(actor=worker, consent=c2)
    assert JourneyEvent.objects.filter(kind="consent.revoked").count() == 1
    with pytest.raises(EcosystemError, match="already been revoked"):
        services.revoke_consent(actor=worker, consent=c2)


def test_invalid_step_is_explained_in_finnish_without_english_words(
    worker, partner, customer, offering
):
    from django.utils import translation

    services.give_consent(
        actor=worker,
        customer=customer,
        recipient=offering.provider,
        purpose="service_referral",
        shared_fields=["name"],
    )
    r = services.refer(actor=worker, customer=customer, offering=offering)
    with translation.override("fi"), pytest.raises(EcosystemError) as exc:
        services.start_referral(actor=partner, referral=r)
    text = str(exc.value)
    assert "aloittaa" in text and "Lähetetty" in text
    assert "start" not in text and "Sent" not in text
