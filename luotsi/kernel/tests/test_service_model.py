import datetime as dt

from luotsi.kernel import service_model as sm

D = dt.date


def test_rules_are_time_valid_with_legal_references():
    assert sm.rule_on("initial_interview", D(2022, 5, 1)) is None  # before the model
    assert sm.rule_on("initial_interview", D(2025, 12, 31)).amount == 5
    assert sm.rule_on("initial_interview", D(2026, 1, 1)).amount == 10
    assert sm.rule_on("supplementary_interviews", D(2026, 1, 1)) is None  # needs-based from 2026
    for r in sm.rules():
        assert r.legal_reference and r.source


def test_initial_interview_deadline_uses_working_days():
    # Thu 18.12.2025 + 5 working days: 19, 22, 23, (24-26 holidays), 29, 30 -> Tue 30.12.2025
    assert sm.initial_interview_due(D(2025, 12, 18)) == D(2025, 12, 30)
    # Fri 2.1.2026 + 10 working days: 5, (6 Epiphany), 7, 8, 9, 12, 13, 14, 15, 16, 19 -> 19.1.2026
    assert sm.initial_interview_due(D(2026, 1, 2)) == D(2026, 1, 19)


def test_deadlines_met_late_and_overdue():
    reg = D(2025, 3, 3)  # Monday; due Mon 10.3.2025
    meetings = [sm.Meeting("initial_interview", D(2025, 3, 12))]
    ds = sm.deadlines(
        registered_on=reg, today=D(2025, 3, 20), meetings=meetings, plan_agreed_on=D(2025, 3, 12)
    )
    initial = ds[0]
    assert initial.due_on == D(2025, 3, 10) and initial.status(D(2025, 3, 20)) == "late"
    supp = [d for d in ds if d.rule == "supplementary_interviews"]
    assert supp[0].due_on == D(2025, 3, 26) and supp[0].status(D(2025, 3, 20)) == "due"
    ds2 = sm.deadlines(registered_on=reg, today=D(2025, 3, 11))
    assert ds2[0].status(D(2025, 3, 11)) == "overdue"
    assert [d.rule for d in ds2] == ["initial_interview", "plan_made"]


def test_job_search_interview_every_three_months_from_2026():
    reg = D(2026, 2, 2)
    meetings = [
        sm.Meeting("initial_interview", D(2026, 2, 4)),
        sm.Meeting("job_search_interview", D(2026, 5, 4)),
    ]
    ds = sm.deadlines(registered_on=reg, today=D(2026, 8, 20), meetings=meetings)
    jsi = [d for d in ds if d.rule == "job_search_interview"]
    assert [(d.due_on, d.met_on) for d in jsi] == [
        (D(2026, 5, 4), D(2026, 5, 4)),
        (D(2026, 8, 4), None),
    ]
    assert jsi[-1].status(D(2026, 8, 20)) == "overdue"
    assert not any(d.rule == "supplementary_interviews" for d in ds)


def test_new_initial_interview_after_six_months():
    assert sm.needs_new_initial_interview(D(2025, 1, 15), D(2025, 7, 15))
    assert not sm.needs_new_initial_interview(D(2025, 1, 15), D(2025, 7, 14))
