"""Organisations, service offerings, teams and workers of the generated employment areas.

Each employment area that has a generated municipality gets: the area's own organisation (the
employer of the responsible workers), a few partner organisations (Kela, the wellbeing services
county, NGOs, companies, an educational institution) and a catalogue of service offerings, each
provided by one of them. The number of responsible workers follows the expected number of open
periods divided by ``Parameters.caseload``; workers form teams of ``Parameters.team_size``.
Everything is deterministic from the config.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np

from luotsi.kernel import codes

from .config import SyntheticConfig
from .frame import make_id
from .model import calibrate, service_share

AREA_STREAM = 1 << 20  # SeedSequence spawn keys of areas, apart from the units'

#: Partner organisations of every area: (key, Finnish name pattern, organisation type).
PARTNERS = (
    ("area", "{area} työllisyysalue", codes.OrganisationType.EMPLOYMENT_AREA),
    ("kela", "Kela, {area}", codes.OrganisationType.KELA),
    ("county", "Hyvinvointialue, {area}", codes.OrganisationType.WELLBEING_COUNTY),
    ("ngo1", "Työpajayhdistys {area} ry", codes.OrganisationType.NGO),
    ("ngo2", "Työttömien yhdistys {area} ry", codes.OrganisationType.NGO),
    ("company1", "Valmennuspalvelut {area} Oy", codes.OrganisationType.COMPANY),
    ("company2", "Rekrytointikumppanit {area} Oy", codes.OrganisationType.COMPANY),
    ("school", "Ammattiopisto {area}", codes.OrganisationType.EDUCATIONAL_INSTITUTION),
)

#: Service offerings of every area: (Finnish name, service type, provider key, external?).
OFFERINGS = (
    ("Työnhakuvalmennus", "coaching", "company1", True),
    ("Ammatillinen työvoimakoulutus", "training", "school", True),
    ("Työkokeilu", "work_trial", "area", False),
    ("Palkkatuettu työ", "wage_subsidy", "area", False),
    ("Kuntouttava työtoiminta", "rehabilitative_work", "county", True),
    ("Työpajatoiminta", "workshop", "ngo1", True),
    ("Kielikoulutus", "language_training", "school", True),
    ("Kuntoutusselvitys", "rehabilitation", "kela", True),
    ("Vertaisryhmä", "peer_group", "ngo2", True),
    ("Rekrytointitapahtuma", "recruitment", "company2", True),
)


@dataclass(frozen=True)
class Area:
    """One employment area as the generator sees it (ids are structured int64s)."""

    code: str
    name: str
    main_municipality: str
    organisation_ids: dict[str, int]  # partner key -> organisation id
    workers: np.ndarray  # worker ids
    worker_teams: np.ndarray  # team id of each worker
    fte: np.ndarray
    offering_ids: np.ndarray
    offering_providers: np.ndarray
    offering_external: np.ndarray

    @property
    def organisation_id(self) -> int:
        return self.organisation_ids["area"]


def areas(config: SyntheticConfig) -> dict[str, Area]:
    """Area code -> :class:`Area` for every area with a generated municipality."""
    return _areas(config)


@cache
def _areas(config: SyntheticConfig) -> dict[str, Area]:
    p = config.parameters
    models = calibrate(config)
    open_share = 1 - service_share(p)
    by_area: dict[str, list] = {}
    for m in models:
        by_area.setdefault(m.municipality.area_code, []).append(m)
    out = {}
    for code, ms in sorted(by_area.items(), key=lambda kv: int(kv[0])):
        scope = int(code)
        rng = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(config.seed, spawn_key=(AREA_STREAM + scope,)))
        )
        name = ms[0].municipality.area_name
        main = max(ms, key=lambda m: (m.target_stock, m.code)).code
        orgs = {key: make_id("organisation", scope, i) for i, (key, *_r) in enumerate(PARTNERS)}
        open_periods = sum(m.target_stock for m in ms) / open_share
        n = max(2, math.ceil(open_periods / p.caseload))
        fte = rng.choice([1.0, 1.0, 1.0, 1.0, 0.8, 0.6], size=n)
        out[code] = Area(
            code=code,
            name=name,
            main_municipality=main,
            organisation_ids=orgs,
            workers=make_id("worker", scope, np.arange(n)),
            worker_teams=make_id("team", scope, np.arange(n) // p.team_size),
            fte=fte,
            offering_ids=make_id("offering", scope, np.arange(len(OFFERINGS))),
            offering_providers=np.array([orgs[o[2]] for o in OFFERINGS], dtype=np.int64),
            offering_external=np.array([o[3] for o in OFFERINGS]),
        )
    return out


def workers(config: SyntheticConfig) -> Iterator[dict]:
    """Rows of ``ref_worker``: worker_id, team_id, organisation_id, area_code, fte."""
    for a in areas(config).values():
        for w, t, f in zip(a.workers, a.worker_teams, a.fte, strict=True):
            yield {
                "worker_id": int(w),
                "team_id": int(t),
                "organisation_id": a.organisation_id,
                "area_code": a.code,
                "fte": float(f),
            }


def organisations(config: SyntheticConfig) -> Iterator[dict]:
    """Organisations: organisation_id, name, type (``codes.OrganisationType``), municipality_code,
    area_code."""
    for a in areas(config).values():
        for key, pattern, org_type in PARTNERS:
            yield {
                "organisation_id": a.organisation_ids[key],
                "name": pattern.format(area=a.name),
                "type": org_type.value,
                "municipality_code": a.main_municipality,
                "area_code": a.code,
            }


def offerings(config: SyntheticConfig) -> Iterator[dict]:
    """Service offerings: offering_id, name, type, provider_id, municipality_code, area_code,
    external (True when a consent is asked before referring)."""
    for a in areas(config).values():
        for i, (name, kind, _provider, external) in enumerate(OFFERINGS):
            yield {
                "offering_id": int(a.offering_ids[i]),
                "name": name,
                "type": kind,
                "provider_id": int(a.offering_providers[i]),
                "municipality_code": a.main_municipality,
                "area_code": a.code,
                "external": bool(external),
            }
