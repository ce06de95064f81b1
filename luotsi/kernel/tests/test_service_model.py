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


# --- every rule at its edges: rule-period boundaries, weekends and public holidays -------------


def _rules_of(ds, name):
    return [d for d in ds if d.rule == name]


def test_rule_periods_switch_exactly_on_their_first_day():
    # 1.5.2022 is before the model: no deadlines at all; 2.5.2022 is its first day.
    assert sm.deadlines(registered_on=D(2022, 5, 1), today=D(2022, 6, 1)) == []
    assert sm.deadlines(registered_on=D(2022, 5, 2), today=D(2022, 6, 1))[0].due_on == D(2022, 5, 9)
    # Wed 31.12.2025 (5 working days): 1.1 and 6.1 are holidays -> 2, 5, 7, 8, 9 -> Fri 9.1.2026.
    assert sm.initial_interview_due(D(2025, 12, 31)) == D(2026, 1, 9)
    # Thu 1.1.2026 is itself a holiday (10 working days): 2, 5, 7, 8, 9, 12, 13, 14, 15, 16.
    assert sm.initial_interview_due(D(2026, 1, 1)) == D(2026, 1, 16)
    # Registration on a Saturday counts from the next working day.
    assert sm.initial_interview_due(D(2025, 3, 8)) == D(2025, 3, 14)


def test_plan_made_is_due_with_the_initial_interview():
    reg = D(2025, 3, 3)  # due Mon 10.3.2025
    on_time = sm.deadlines(registered_on=reg, today=D(2025, 3, 20), plan_agreed_on=D(2025, 3, 10))
    late = sm.deadlines(registered_on=reg, today=D(2025, 3, 20), plan_agreed_on=D(2025, 3, 11))
    assert _rules_of(on_time, "plan_made")[0].status(D(2025, 3, 20)) == "met"
    assert _rules_of(late, "plan_made")[0].status(D(2025, 3, 20)) == "late"


def test_status_edges_due_and_overdue():
    d = sm.deadlines(registered_on=D(2025, 3, 3), today=D(2025, 3, 3))[0]  # due 10.3.2025
    assert d.status(D(2025, 3, 2)) == "upcoming"
    assert d.status(D(2025, 3, 3)) == "due"  # 7 days before
    assert d.status(D(2025, 3, 10)) == "due"  # the last day is still in time
    assert d.status(D(2025, 3, 11)) == "overdue"


def test_supplementary_interview_due_on_a_holiday_moves_to_the_next_working_day():
    # Initial interview Fri 4.4.2025; two weeks later is Good Friday 18.4, then Easter Monday 21.4.
    meetings = [sm.Meeting("initial_interview", D(2025, 4, 4))]
    ds = sm.deadlines(registered_on=D(2025, 4, 1), today=D(2025, 4, 10), meetings=meetings)
    assert _rules_of(ds, "supplementary_interviews")[0].due_on == D(2025, 4, 22)


def test_supplementary_interviews_stop_at_three_months():
    reg = D(2025, 3, 3)  # window ends 3.6.2025
    held = [sm.Meeting("initial_interview", D(2025, 3, 5))]
    held += [
        sm.Meeting("supplementary_interview", D(2025, 3, 5) + dt.timedelta(weeks=2 * k))
        for k in range(1, 7)
    ]  # 19.3 ... 28.5
    ds = sm.deadlines(registered_on=reg, today=D(2025, 6, 30), meetings=held)
    supp = _rules_of(ds, "supplementary_interviews")
    assert [d.due_on for d in supp][-1] == D(2025, 5, 28)  # 11.6 would be past the window
    assert all(d.status(D(2025, 6, 30)) == "met" for d in supp)


def test_job_search_interview_on_midsummer_eve_and_on_a_weekend_moves_forward():
    # Initial Thu 20.3.2025 + 3 months = Fri 20.6.2025, Midsummer Eve -> Mon 23.6.2025.
    ds = sm.deadlines(
        registered_on=D(2025, 3, 18),
        today=D(2025, 6, 1),
        meetings=[sm.Meeting("initial_interview", D(2025, 3, 20))],
    )
    assert _rules_of(ds, "job_search_interview")[0].due_on == D(2025, 6, 23)
    # Initial Fri 28.11.2025 + 3 months = Sat 28.2.2026 -> Mon 2.3.2026 (registration in 2025).
    ds = sm.deadlines(
        registered_on=D(2025, 11, 24),
        today=D(2026, 2, 1),
        meetings=[sm.Meeting("initial_interview", D(2025, 11, 28))],
    )
    jsi = _rules_of(ds, "job_search_interview")[0]
    assert jsi.due_on == D(2026, 3, 2)
    assert jsi.status(D(2026, 3, 2)) == "due" and jsi.status(D(2026, 3, 3)) == "overdue"


def test_intensified_period_two_extra_discussions_after_six_months():
    reg = D(2025, 1, 15)
    meetings = [
        sm.Meeting("initial_interview", D(2025, 1, 17)),
        sm.Meeting("supplementary_interview", D(2025, 7, 21)),
        sm.Meeting("supplementary_interview", D(2025, 8, 18)),
    ]
    before = sm.deadlines(registered_on=reg, today=D(2025, 7, 14), meetings=meetings)
    assert _rules_of(before, "intensified_period") == []
    ds = sm.deadlines(registered_on=reg, today=D(2025, 8, 20), meetings=meetings)
    period = _rules_of(ds, "intensified_period")
    # the period starts 15.7.2025 and lasts a month: due Fri 15.8.2025
    assert [(d.due_on, d.met_on) for d in period] == [
        (D(2025, 8, 15), D(2025, 7, 21)),
        (D(2025, 8, 15), D(2025, 8, 18)),
    ]
    assert [d.status(D(2025, 8, 20)) for d in period] == ["met", "late"]
    # repeated every 6 months: a second period from 15.1.2026 (due 16.2.2026, 15.2 is a Sunday)
    later = sm.deadlines(registered_on=reg, today=D(2026, 1, 20), meetings=meetings)
    second = _rules_of(later, "intensified_period")[2:]
    assert [d.due_on for d in second] == [D(2026, 2, 16)] * 2
    assert [d.status(D(2026, 1, 20)) for d in second] == ["upcoming", "upcoming"]
    # registrations from 1.1.2026: by service need, no intensified period
    new = sm.deadlines(
        registered_on=D(2026, 1, 5),
        today=D(2026, 8, 20),
        meetings=[sm.Meeting("initial_interview", D(2026, 1, 7))],
    )
    assert _rules_of(new, "intensified_period") == []


def test_periods_ended_before_a_deadline_have_no_later_deadlines():
    ds = sm.deadlines(
        registered_on=D(2025, 1, 15),
        today=D(2025, 12, 1),
        meetings=[sm.Meeting("initial_interview", D(2025, 1, 17))],
        ended_on=D(2025, 7, 14),
    )
    assert _rules_of(ds, "intensified_period") == []
