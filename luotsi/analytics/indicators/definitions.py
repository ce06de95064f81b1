"""Indicator definitions as data: the loader of ``definitions.toml``.

Each record is one *version* of one indicator (``code`` + ``definition_version``) with a validity
period: a version is used for the periods whose counting day (last day) falls in
``[valid_from, valid_to]``. Changing a definition means adding a version, never editing one that
has been published. ``docs/indicators.md`` describes every field and indicator.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFINITIONS_FILE = Path(__file__).with_name("definitions.toml")

AGGREGATIONS = ("count", "ratio", "median", "p90", "max", "mean")
PERIOD_SEMANTICS = ("stock@counting_day", "flow_in_month", "cohort")
SOURCES = ("own", "statfin", "survey")
COUNT_FIELDS = ("numerator", "denominator")
#: Texts given in English (the canonical field) with a Finnish and a Swedish version beside it.
TRANSLATED_TEXTS = ("numerator", "denominator", "follows")


class DefinitionError(ValueError):
    """A definition record is malformed; the message names the indicator and the field."""


@dataclass(frozen=True)
class Definition:
    code: str
    definition_version: int
    valid_from: dt.date
    valid_to: dt.date | None
    name_fi: str
    name_sv: str
    name_en: str
    description_fi: str
    description_sv: str
    description_en: str
    numerator: str
    numerator_fi: str
    numerator_sv: str
    denominator: str
    denominator_fi: str
    denominator_sv: str
    factor: float
    unit: str
    aggregation: str
    period_semantics: str
    source: str
    follows: str
    follows_fi: str
    follows_sv: str
    family: str
    additive: bool
    count_fields: tuple[str, ...]
    disaggregations: tuple[str, ...]
    dimension: str = ""
    numerator_measures: tuple[str, ...] = ()
    denominator_measures: tuple[str, ...] = ()
    horizon_months: int | None = None
    k_working_days: int | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=())

    def name(self, language: str) -> str:
        return getattr(self, f"name_{_lang(language)}")

    def description(self, language: str) -> str:
        return getattr(self, f"description_{_lang(language)}")

    def numerator_text(self, language: str) -> str:
        """The numerator in ``language`` (English: the canonical ``numerator``)."""
        return self._text("numerator", language)

    def denominator_text(self, language: str) -> str:
        """The denominator in ``language``; empty when the indicator has none."""
        return self._text("denominator", language)

    def follows_text(self, language: str) -> str:
        """The published definition it follows, in ``language``."""
        return self._text("follows", language)

    def formula(self, language: str) -> str:
        """``factor × (numerator) / (denominator)`` for ratios, else the numerator, in
        ``language`` (the factor is written without a trailing ``.0``)."""
        num = self.numerator_text(language)
        if not self.denominator:
            return num
        factor = f"{self.factor:g}"
        return f"{factor} × ({num}) / ({self.denominator_text(language)})"

    def _text(self, name: str, language: str) -> str:
        lang = _lang(language)
        return getattr(self, name if lang == "en" else f"{name}_{lang}")

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class DeadlineRule:
    rule: str
    valid_from: dt.date
    valid_to: dt.date | None
    working_days: int
    source: str


def _lang(language: str) -> str:
    if language not in ("fi", "sv", "en"):
        raise DefinitionError(f"unknown language {language!r}; use 'fi', 'sv' or 'en'")
    return language


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DefinitionError(f"{where}: {value!r} is not a date") from None


_FIELDS = {f for f in Definition.__dataclass_fields__ if f != "extra"}


def parse(document: dict[str, Any]) -> tuple[tuple[Definition, ...], tuple[DeadlineRule, ...]]:
    """Validate a parsed TOML document and build the definition records."""
    defaults = document.get("defaults", {})
    out: list[Definition] = []
    seen: set[tuple[str, int]] = set()
    for raw in document.get("indicator", []):
        rec = {**defaults, **raw}
        code = rec.get("code", "?")
        where = f"indicator {code}"
        missing = [
            f
            for f in (
                "code",
                "name_fi",
                "name_sv",
                "name_en",
                "description_fi",
                "description_sv",
                "description_en",
                "numerator",
                "unit",
                "aggregation",
                "period_semantics",
                "source",
                "follows",
                "family",
            )
            if not rec.get(f)
        ]
        if missing:
            raise DefinitionError(f"{where}: missing field(s) {missing}")
        for name in TRANSLATED_TEXTS:
            given = [f"{name}_{lang}" for lang in ("fi", "sv") if rec.get(f"{name}_{lang}")]
            if rec.get(name):
                untranslated = [
                    f"{name}_{lang}" for lang in ("fi", "sv") if f"{name}_{lang}" not in given
                ]
                if untranslated:
                    raise DefinitionError(f"{where}: {name} has no translation in {untranslated}")
            elif given:
                raise DefinitionError(f"{where}: {given} given but {name} (English) is not")
        for name, allowed in (
            ("aggregation", AGGREGATIONS),
            ("period_semantics", PERIOD_SEMANTICS),
            ("source", SOURCES),
        ):
            if rec[name] not in allowed:
                raise DefinitionError(f"{where}: {name}={rec[name]!r} is not one of {allowed}")
        if rec["aggregation"] == "ratio" and not rec.get("denominator"):
            raise DefinitionError(f"{where}: a ratio needs a denominator")
        bad = set(rec.get("count_fields", ())) - set(COUNT_FIELDS)
        if bad:
            raise DefinitionError(f"{where}: count_fields {sorted(bad)} not in {COUNT_FIELDS}")
        key = (code, int(rec["definition_version"]))
        if key in seen:
            raise DefinitionError(f"{where}: version {key[1]} defined twice")
        seen.add(key)
        extra = tuple(sorted((k, v) for k, v in rec.items() if k not in _FIELDS))
        out.append(
            Definition(
                code=code,
                definition_version=int(rec["definition_version"]),
                valid_from=_date(rec["valid_from"], where),
                valid_to=_date(rec.get("valid_to"), where),
                name_fi=rec["name_fi"],
                name_sv=rec["name_sv"],
                name_en=rec["name_en"],
                description_fi=rec["description_fi"],
                description_sv=rec["description_sv"],
                description_en=rec["description_en"],
                numerator=rec["numerator"],
                numerator_fi=rec["numerator_fi"],
                numerator_sv=rec["numerator_sv"],
                denominator=rec.get("denominator", ""),
                denominator_fi=rec.get("denominator_fi", ""),
                denominator_sv=rec.get("denominator_sv", ""),
                factor=float(rec["factor"]),
                unit=rec["unit"],
                aggregation=rec["aggregation"],
                period_semantics=rec["period_semantics"],
                source=rec["source"],
                follows=rec["follows"],
                follows_fi=rec["follows_fi"],
                follows_sv=rec["follows_sv"],
                family=rec["family"],
                additive=bool(rec["additive"]),
                count_fields=tuple(rec.get("count_fields", ())),
                disaggregations=tuple(rec.get("disaggregations", ())),
                dimension=rec.get("dimension", ""),
                numerator_measures=tuple(rec.get("numerator_measures", ())),
                denominator_measures=tuple(rec.get("denominator_measures", ())),
                horizon_months=rec.get("horizon_months"),
                k_working_days=rec.get("k_working_days"),
                extra=extra,
            )
        )
    rules = tuple(
        DeadlineRule(
            rule=r["rule"],
            valid_from=_date(r["valid_from"], "deadline_rule"),
            valid_to=_date(r.get("valid_to"), "deadline_rule"),
            working_days=int(r["working_days"]),
            source=r["source"],
        )
        for r in document.get("deadline_rule", [])
    )
    return tuple(out), rules


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Definition, ...], tuple[DeadlineRule, ...]]:
    with open(DEFINITIONS_FILE, "rb") as fh:
        return parse(tomllib.load(fh))


def definitions(codes: list[str] | tuple[str, ...] | None = None) -> tuple[Definition, ...]:
    """Every definition version (or those of ``codes``), in file order."""
    defs = _load()[0]
    if codes is None:
        return defs
    known = {d.code for d in defs}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DefinitionError(f"unknown indicator code(s) {unknown}; known: {sorted(known)}")
    wanted = set(codes)
    return tuple(d for d in defs if d.code in wanted)


def definition(code: str, version: int | None = None) -> Definition:
    """One definition; the latest version when ``version`` is None."""
    versions = [
        d for d in definitions([code]) if version is None or d.definition_version == version
    ]
    if not versions:
        raise DefinitionError(f"indicator {code} has no version {version}")
    return max(versions, key=lambda d: d.definition_version)


def deadline_rules(rule: str = "initial_interview") -> tuple[DeadlineRule, ...]:
    return tuple(r for r in _load()[1] if r.rule == rule)
