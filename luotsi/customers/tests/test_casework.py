import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from luotsi.customers import selectors, services
from luotsi.customers.errors import CaseWorkError
from luotsi.customers.models import Customer, PlanVersion, Responsibility
from luotsi.journey.models import JourneyEvent
from luotsi.kernel import codes

pytestmark = pytest.mark.django_db
D = dt.date


def kinds(customer):
    return list(
        JourneyEvent.objects.filter(customer_id=customer.pk)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_register_validates_identity_code_and_writes_events(register, worker):
    with pytest.raises(CaseWorkError, match="wrong check character"):
        register(hetu="010190-900A")
    with pytest.raises(CaseWorkError, match="not of the form"):
        register(hetu="0101-90")
    assert Customer.objects.count() == 0
    c = register()
    assert c.area_code == worker.organisation.employment_area_code
    day = int(c.personal_identity_code[:2])
    assert c.birth_date == D(1990, 1, day)
    assert kinds(c) == ["customer.registered", "responsibility.assigned"]
    assert selectors.current_responsibility(c).worker == worker


def test_duplicate_identity_code_is_refused(register):
    c = register()
    with pytest.raises(CaseWorkError, match="already exists"):
        register(hetu=c.personal_identity_code)
    assert services.find_duplicates(c.personal_identity_code.lower()) == c


def test_municipality_from_postal_code_and_area_check(register, other_area_worker):
    c = register(municipality_code=None, postal_code="50100")  # Mikkeli
    assert c.municipality.code == "491"
    with pytest.raises(PermissionDenied):
        register(actor=other_area_worker)


def test_exactly_one_responsible_through_reassignment_and_exit(register, worker, make_user, team):
    c = register()
    from luotsi.core.roles import Role

    colleague = make_user(Role.RESPONSIBLE_WORKER, organisation=worker.organisation, unit=team)
    services.assign_responsible_worker(actor=worker, customer=c, worker=colleague)
    assert Responsibility.objects.filter(customer=c, ends_at__isnull=True).count() == 1
    assert selectors.current_responsibility(c).worker == colleague
    assert list(selectors.customers_without_responsible(c.area_code)) == []
    services.exit_enrolment(
        actor=worker, customer=c, ended_on=D(2025, 6, 1), exit_reason="employed_open_market"
    )
    assert selectors.current_responsibility(c) is None
    assert kinds(c)[-2:] == ["responsibility.ended", "customer.exited"]


def test_reregistration_opens_a_new_period_and_keeps_history(register, worker):
    c = register()
    with pytest.raises(CaseWorkError, match="already has an open"):
        services.reregister(actor=worker, customer=c, registered_on=D(2025, 4, 1))
    services.exit_enrolment(
        actor=worker, customer=c, ended_on=D(2025, 5, 31), exit_reason="education"
    )
    with pytest.raises(CaseWorkError, match="cannot start before"):
        services.reregister(actor=worker, customer=c, registered_on=D(2025, 5, 1))
    services.reregister(actor=worker, customer=c, registered_on=D(2025, 9, 1))
    assert c.enrolments.count() == 2
    assert c.open_enrolment().reason == codes.RegistrationReason.REREGISTRATION
    assert kinds(c).count("customer.registered") == 2


def test_plan_is_versioned_and_tasks_are_never_deleted(register, worker):
    c = register()
    plan = services.save_plan(
        actor=worker,
        customer=c,
        goal="Työ logistiikassa",
        agreed=True,
        agreed_on=D(2025, 3, 5),
        tasks=[
            {"kind": "job_search", "title": "Hae 4 työpaikkaa", "due_on": D(2025, 4, 1)},
            {"kind": "service", "title": "Työkokeilu"},
        ],
    )
    tasks = list(plan.tasks.order_by("title"))
    plan = services.save_plan(
        actor=worker,
        customer=c,
        goal="Työ logistiikassa tai varastossa",
        agreed=True,
        agreed_on=D(2025, 3, 5),
        tasks=[
            {
                "id": tasks[0].pk,
                "kind": "job_search",
                "title": "Hae 4 työpaikkaa",
                "status": "done",
            },
        ],
    )
    assert plan.version == 2
    versions = list(PlanVersion.objects.filter(plan=plan).order_by("version"))
    assert versions[0].content["goal"] == "Työ logistiikassa"
    assert versions[1].content["goal"].endswith("varastossa")
    statuses = {t.title: t.status for t in plan.tasks.all()}
    assert statuses == {"Hae 4 työpaikkaa": "done", "Työkokeilu": "cancelled"}
    assert kinds(c).count("plan.saved") == 2
    with pytest.raises(CaseWorkError):
        services.save_plan(
            actor=worker, customer=c, goal="x", agreed=False, applications_required=7
        )
    assert plan.versions.count() == 2


def test_assessment_scale_and_distance_travelled(register, worker):
    c = register()
    with pytest.raises(CaseWorkError, match="between 1 and 5"):
        services.record_assessment(
            actor=worker, customer=c, assessed_on=D(2025, 3, 5), worker_scores={"housing": 6}
        )
    services.record_assessment(
        actor=worker,
        customer=c,
        assessed_on=D(2025, 3, 5),
        worker_scores={"housing": 2, "digital_skills": 3},
        customer_scores={"housing": 3},
    )
    services.record_assessment(
        actor=worker,
        customer=c,
        assessed_on=D(2025, 9, 5),
        worker_scores={"housing": 4, "digital_skills": 3},
        customer_scores={"housing": 5},
    )
    rows = {r["dimension"].value: r for r in selectors.distance_travelled(c)}
    assert rows["housing"]["worker_change"] == 2 and rows["housing"]["customer_change"] == 2
    assert rows["digital_skills"]["worker_change"] == 0
    assert [
        e.payload["sequence"]
        for e in JourneyEvent.objects.filter(kind="assessment.recorded", customer_id=c.pk)
    ] == [1, 2]


def test_meetings_drive_the_queues(register, worker):
    c = register(registered_on=D(2025, 3, 3))
    q = selectors.queues(worker, today=D(2025, 3, 12))
    assert [i.customer for i in q.new_without_interview] == [c]
    assert {i.what for i in q.overdue} >= {"initial_interview"}
    m = services.schedule_meeting(
        actor=worker,
        customer=c,
        meeting_type="initial_interview",
        channel="in_person",
        scheduled_for=dt.datetime(2025, 3, 7, 9, tzinfo=dt.UTC),
    )
    services.record_meeting_held(actor=worker, meeting=m, held_on=D(2025, 3, 7))
    with pytest.raises(CaseWorkError):
        services.cancel_meeting(actor=worker, meeting=m, reason="no_show")
    q = selectors.queues(worker, today=D(2025, 3, 12))
    assert q.new_without_interview == []
    assert not any(i.what == "initial_interview" for i in q.overdue)
    ds = selectors.customer_deadlines(c, today=D(2025, 3, 12))
    assert ds[0].status(D(2025, 3, 12)) == "met"


def test_other_area_worker_cannot_act(register, other_area_worker):
    c = register()
    with pytest.raises(PermissionDenied):
        services.record_contact(actor=other_area_worker, customer=c, channel="phone", text="x")
    assert list(selectors.customers_for(other_area_worker)) == []
    assert "contact.recorded" not in kinds(c)


def test_moving_writes_a_moved_event(register, worker):
    c = register()
    services.update_details(actor=worker, customer=c, municipality_code="097", phone="0401234567")
    c.refresh_from_db()
    assert c.municipality.code == "097"
    assert kinds(c)[-2:] == ["customer.details_updated", "customer.moved"]
    with pytest.raises(CaseWorkError, match="cannot be edited"):
        services.update_details(actor=worker, customer=c, personal_identity_code="x")


def test_a_plan_entered_afterwards_is_dated_on_its_day_and_bad_days_write_nothing(register, worker):
    c = register(registered_on=D(2025, 3, 3))
    services.save_plan(
        actor=worker,
        customer=c,
        goal="Työ",
        agreed=True,
        agreed_on=D(2025, 3, 5),
        effective_on=D(2025, 3, 5),
    )
    event = JourneyEvent.objects.filter(customer_id=c.pk, kind="plan.saved").get()
    assert event.occurred_at.date() == D(2025, 3, 5)
    before = JourneyEvent.objects.count()
    for bad in (D(2025, 3, 2), dt.date.today() + dt.timedelta(days=1)):
        with pytest.raises(CaseWorkError, match="between the start of the job search and today"):
            services.save_plan(actor=worker, customer=c, goal="Muu", agreed=True, effective_on=bad)
    assert JourneyEvent.objects.count() == before
    assert PlanVersion.objects.filter(plan__customer=c).count() == 1


def test_a_plan_failing_on_its_last_task_writes_nothing(register, worker):
    """The plan, its tasks, its version and their journey events are one transaction."""
    c = register()
    before = kinds(c)
    with pytest.raises(CaseWorkError):
        services.save_plan(
            actor=worker,
            customer=c,
            goal="Työ",
            agreed=True,
            tasks=[
                {"kind": "job_search", "title": "Hae töitä"},
                {"kind": "teleportation", "title": "Väärä laji"},
            ],
        )
    assert kinds(c) == before
    assert not PlanVersion.objects.filter(plan__customer=c).exists()
    assert not c.plans.exists() or not c.plans.get().tasks.exists()


def test_dates_in_the_wrong_order_write_nothing(register, worker):
    c = register(registered_on=D(2025, 3, 3))
    before = kinds(c)
    with pytest.raises(CaseWorkError, match="cannot end before"):
        services.exit_enrolment(
            actor=worker, customer=c, ended_on=D(2025, 3, 2), exit_reason="education"
        )
    with pytest.raises(CaseWorkError, match="ends before it starts"):
        services.report_job_search(
            actor=worker,
            customer=c,
            period_start=D(2025, 5, 31),
            period_end=D(2025, 5, 1),
            applications=2,
        )
    assert kinds(c) == before
    assert c.open_enrolment().ended_on is None


def test_unknown_municipality_writes_nothing(register, worker):
    with pytest.raises(CaseWorkError, match="municipality"):
        register(municipality_code="999")
    with pytest.raises(CaseWorkError, match="municipality"):
        register(municipality_code=None, postal_code="00001")
    # Pertunmaa no longer exists on 1.1.2025
    with pytest.raises(CaseWorkError, match="municipality"):
        register(municipality_code="588", registered_on=D(2025, 1, 2))
    assert Customer.objects.count() == 0 and JourneyEvent.objects.count() == 0
    c = register()
    with pytest.raises(CaseWorkError, match="999"):
        services.update_details(actor=worker, customer=c, municipality_code="999")
    c.refresh_from_db()
    assert c.municipality.code == "491" and "customer.moved" not in kinds(c)


def test_responsibility_runs_from_registration_to_exit_when_entered_afterwards(register, worker):
    c = register(registered_on=D(2025, 3, 3))
    resp = Responsibility.objects.get(customer=c)
    assert resp.starts_at.date() == D(2025, 3, 3)  # never a day without a responsible worker
    assigned = JourneyEvent.objects.get(customer_id=c.pk, kind="responsibility.assigned")
    assert assigned.occurred_at == resp.starts_at
    services.exit_enrolment(
        actor=worker, customer=c, ended_on=D(2025, 6, 2), exit_reason="education"
    )
    resp.refresh_from_db()
    assert resp.ends_at.date() == D(2025, 6, 2)
    ended = JourneyEvent.objects.get(customer_id=c.pk, kind="responsibility.ended")
    assert ended.occurred_at == resp.ends_at
