"""Person records, identity codes, and the worker/organisation/offering tables."""

from __future__ import annotations

import collections
import datetime as dt

import numpy as np
import pytest
from stdnum.exceptions import InvalidComponent
from stdnum.fi import hetu

from luotsi.synthetic import generate, identity_code, offerings, organisations, people, workers
from luotsi.synthetic.people import _names

from .helpers import periods, rows_of, small_config, table

CONFIG = small_config(scale=0.02)


@pytest.fixture(scope="module")
def persons():
    return list(people(CONFIG))


@pytest.fixture(scope="module")
def events():
    return table(generate(CONFIG))


def test_identity_code_check_character_matches_stdnum():
    # 13.10.1952-308J is the checksum example of the Digital and Population Data Services
    # Agency (and of python-stdnum's doctest)
    assert identity_code(dt.date(1952, 10, 13), 308) == "131052-308T"
    assert hetu.validate("131052-308T") == "131052-308T"
    assert identity_code(dt.date(2001, 2, 3), 950)[6] == "A"


def test_codes_are_temporary_range_only(persons):
    for p in persons:
        code = p.personal_identity_code
        assert hetu.validate(code, allow_temporary=True) == code
        with pytest.raises(InvalidComponent):
            hetu.validate(code)  # 900-999 is never a real person's number
        number = int(code[7:10])
        assert 900 <= number <= 999
        assert (number % 2 == 1) == (p.sex == "male")
        born = p.birth_date
        assert code[:6] == f"{born:%d%m%y}"


def test_persons_match_the_events(persons, events):
    reg = rows_of(events, "customer.registered", "person_id", "birth_year", "sex", "language_group")
    ids = {p.person_id for p in persons}
    assert ids == set(reg["person_id"].tolist())
    by_id = {p.person_id: p for p in persons}
    for pid, year, sex, lang in zip(*reg.values(), strict=True):
        p = by_id[pid]
        assert (p.birth_date.year, p.sex, p.language) == (year, sex, lang)


def test_names_postal_codes_and_municipalities(persons):
    first, last = _names()
    all_first = {n for names in first.values() for n in names}
    all_last = {n for names in last.values() for n in names}
    assert 60 <= len(all_first) <= 400 and 60 <= len(all_last) <= 400
    munis = set(CONFIG.municipalities)
    from luotsi.synthetic.reference import postal_codes

    for p in persons:
        assert p.first_name in all_first and p.last_name in all_last
        assert p.municipality_code in munis
        assert p.postal_code in postal_codes()[p.municipality_code]
    swedish = [p for p in persons if p.language == "sv"]
    if swedish:
        assert all(p.first_name in first[("sv", p.sex)] for p in swedish)


def test_tables_cover_every_id_in_the_events(events):
    w = list(workers(CONFIG))
    orgs = list(organisations(CONFIG))
    offers = list(offerings(CONFIG))
    worker_ids = {r["worker_id"] for r in w}
    org_ids = {r["organisation_id"] for r in orgs}
    assert {r["organisation_id"] for r in w} <= org_ids
    assert all(set(r) == {"worker_id", "team_id", "organisation_id", "area_code", "fte"} for r in w)
    assert all(0 < r["fte"] <= 1 for r in w)
    assert {r["provider_id"] for r in offers} <= org_ids
    assigned = rows_of(events, "responsibility.assigned", "worker_id")["worker_id"]
    assert set(assigned.tolist()) <= worker_ids
    ref = rows_of(events, "referral.sent", "offering_id", "provider_id")
    assert set(ref["offering_id"].tolist()) <= {r["offering_id"] for r in offers}
    assert set(ref["provider_id"].tolist()) <= org_ids
    assert set(events.column("organisation_id").to_numpy().tolist()) <= org_ids
    actors = events.column("actor_id").drop_null().to_numpy()
    assert set(actors.tolist()) <= worker_ids  # providers act as null actors


def test_caseloads_near_the_parameter():
    """Open periods per worker at the end of the window: mean near ``Parameters.caseload``,
    and no worker with more than twice the mean (workers are drawn uniformly)."""
    config = small_config(scale=1.0, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 30))
    t = table(generate(config))
    p = periods(t)
    open_persons = set(p["person_id"][p["ended_on"] < 0].tolist())
    assigned = rows_of(t, "responsibility.assigned", "person_id", "worker_id", "occurred_at")
    order = np.argsort(assigned["occurred_at"], kind="stable")
    current = {}
    for person, worker in zip(assigned["person_id"][order], assigned["worker_id"][order],
                              strict=True):  # fmt: skip
        current[person] = worker
    load = collections.Counter(current[q] for q in open_persons)
    n_workers = len(list(workers(config)))
    mean = len(open_persons) / n_workers
    caseload = config.parameters.caseload
    assert 0.75 * caseload < mean < 1.25 * caseload
    assert max(load.values()) < 2 * mean


def test_handovers_include_bouncing_back(events):
    req = rows_of(events, "handover.requested", "person_id", "from_worker_id", "to_worker_id")
    pairs = set(zip(req["person_id"], req["from_worker_id"], req["to_worker_id"], strict=True))
    back = [(p, a, b) for p, a, b in pairs if (p, b, a) in pairs]
    assert back, "some customers are handed from A to B and back to A"
