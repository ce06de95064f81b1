"""Synthetic person records for the operational database (the demo loader).

Each person of the generated events (same ``person_id``, birth date, sex, language and
municipality) gets a name from the Finnish/Swedish/other name lists in ``data/`` and a personal
identity code (henkilötunnus) with a valid check character but an **individual number from
900-999**: that range is reserved for temporary identifiers and is never given to a real person.
``python-stdnum``'s ``stdnum.fi.hetu.validate`` refuses it unless ``allow_temporary=True``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from . import timebase as tb
from .block import LANGUAGE_CODES
from .config import SyntheticConfig
from .frame import make_id
from .model import calibrate
from .population import in_window, plan_units, simulate, streams
from .reference import postal_codes

NAMES = Path(__file__).with_name("data")
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-", 2000: "A"}
TEMPORARY_FIRST = 900


@dataclass(frozen=True)
class Person:
    person_id: int
    personal_identity_code: str
    first_name: str
    last_name: str
    birth_date: object  # datetime.date
    sex: str  # "male" | "female"
    language: str  # codes.LanguageGroup value
    municipality_code: str
    postal_code: str
    foreign_national: bool


def identity_code(birth, individual: int) -> str:
    """Henkilötunnus for a birth date and an individual number (check character mod 31)."""
    if not 2 <= individual <= 999:
        raise ValueError("the individual number must be within 002-999")
    sign = CENTURY_SIGNS[birth.year // 100 * 100]
    stem = f"{birth:%d%m%y}{individual:03d}"
    return f"{birth:%d%m%y}{sign}{individual:03d}{CHECK_CHARACTERS[int(stem) % 31]}"


@cache
def _names() -> tuple[dict, dict]:
    first: dict[tuple[str, str], list[str]] = {}
    with (NAMES / "first_names.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            first.setdefault((r["language"], r["sex"]), []).append(r["name"])
    last: dict[str, list[str]] = {}
    with (NAMES / "surnames.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            last.setdefault(r["language"], []).append(r["name"])
    return first, last


def _name_language(code: str) -> str:
    return {"fi": "fi", "se": "fi", "sv": "sv"}.get(code, "other")


def people(config: SyntheticConfig) -> Iterator[Person]:
    """Every person who has a period in the window, in the order of the generated events.

    Individual numbers are odd for men and even for women (as in real codes) within 900-999.
    Two persons may share a code only if they share a birth date and draw the same number;
    the loader should treat a clash as a new draw (rare: 50 numbers per sex and date).
    """
    models = calibrate(config)
    codes_ = [m.code for m in models]
    postal = postal_codes()
    first_names, last_names = _names()
    for unit in plan_units(config):
        pop = simulate(config, unit)
        persons = np.unique(pop.person[in_window(config, pop)])
        rng = streams(config, unit.index, 2)
        n = len(persons)
        u_first, u_last, u_num, u_post = (rng.random(n) for _ in range(4))
        for i, k in enumerate(persons):
            birth = tb.date(int(pop.birth_day[k]))
            male = bool(pop.male[k])
            language = LANGUAGE_CODES[int(pop.language[k])]
            lang = _name_language(language)
            sex = "male" if male else "female"
            firsts = first_names[(lang, sex)]
            lasts = last_names[lang]
            number = TEMPORARY_FIRST + 2 * int(u_num[i] * 50) + (1 if male else 0)
            muni = codes_[int(pop.municipality[k])]
            options = postal.get(muni) or ("00000",)
            yield Person(
                person_id=int(make_id("person", unit.index, int(k))),
                personal_identity_code=identity_code(birth, number),
                first_name=firsts[int(u_first[i] * len(firsts))],
                last_name=lasts[int(u_last[i] * len(lasts))],
                birth_date=birth,
                sex=sex,
                language=language,
                municipality_code=muni,
                postal_code=options[int(u_post[i] * len(options))],
                foreign_national=bool(pop.foreign[k]),
            )
