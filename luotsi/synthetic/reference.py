"""The public facts the generator is calibrated to, read from ``luotsi/data``.

* municipalities of 2025 and their employment areas (``tyollisyysalueet_2025.csv``),
* name and language ratio (``municipalities_2024.csv``), postal codes (``postal_codes_2024.csv``),
* per-municipality June 2026 targets from Statistics Finland table 12r5
  (``statfin_tyonv_12r5_2026M06.csv``; "Source: Statistics Finland", CC BY 4.0).

Suppressed cells (``...``, small counts) are imputed: a suppressed count becomes the national
share times the municipality's stock, capped at 4 (a suppressed cell is a small count).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .config import ConfigError

DATA = Path(__file__).resolve().parent.parent / "data"
ALAND_AREA = "46"
SUPPRESSED_CAP = 4.0
#: Municipalities of the Saami homeland (Enontekiö, Inari, Utsjoki, Sodankylä).
SAAMI_HOMELAND = frozenset({"047", "148", "890", "758"})

MEASURES = (
    "HAKIJALOPUSSA",
    "TYOTTOMATLOPUSSA",
    "TYOVOIMATK",
    "TYOTTOMATMIEHET",
    "TYOTTOMATNAISET",
    "TYOTTOMAT25",
    "TYOTTOMAT50",
    "TYOTTOMATULK",
    "PITKAAIKAISTYOTTOMAT",
    "LOMAUTETTU",
)


@dataclass(frozen=True)
class Municipality:
    """One municipality with its calibration targets (June 2026, counts of persons)."""

    index: int  # position in the sorted list of 2025 municipalities (stable id component)
    code: str
    name_fi: str
    name_sv: str
    area_code: str
    area_name: str
    language_ratio: int
    targets: dict[str, float]  # measure -> value (imputed where suppressed)
    suppressed: frozenset[str]

    @property
    def stock(self) -> float:
        return self.targets["TYOTTOMATLOPUSSA"]


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def national() -> dict[str, float]:
    """Whole-country values of the 12r5 measures, June 2026."""
    row = next(r for r in _read("statfin_tyonv_12r5_2026M06.csv") if r["Alue"] == "SSS")
    return {m: float(row[m]) for m in MEASURES}


@cache
def _all_municipalities() -> tuple[Municipality, ...]:
    areas = {r["kunta_code"]: r for r in _read("tyollisyysalueet_2025.csv")}
    names = {r["code"]: r for r in _read("municipalities_2024.csv")}
    stats = {
        r["Alue"][2:]: r for r in _read("statfin_tyonv_12r5_2026M06.csv") if r["Alue"][:2] == "KU"
    }
    nat = national()
    out = []
    for index, code in enumerate(sorted(areas)):
        row = stats.get(code)
        if row is None:
            raise ConfigError(f"municipality {code} has no row in the 12r5 file")
        raw = {m: row[m] for m in MEASURES}
        suppressed = frozenset(m for m, v in raw.items() if v in ("...", ".", ""))
        targets: dict[str, float] = {}
        if "TYOTTOMATLOPUSSA" in suppressed:
            seekers = float(raw["HAKIJALOPUSSA"]) if "HAKIJALOPUSSA" not in suppressed else 4.0
            share = nat["TYOTTOMATLOPUSSA"] / nat["HAKIJALOPUSSA"]
            targets["TYOTTOMATLOPUSSA"] = min(SUPPRESSED_CAP, seekers * share)
        else:
            targets["TYOTTOMATLOPUSSA"] = float(raw["TYOTTOMATLOPUSSA"])
        stock = targets["TYOTTOMATLOPUSSA"]
        for m in MEASURES:
            if m in targets:
                continue
            if m in suppressed:
                share = nat[m] / nat["TYOTTOMATLOPUSSA"]
                targets[m] = min(SUPPRESSED_CAP, share * stock)
            else:
                targets[m] = float(raw[m])
        a = areas[code]
        n = names.get(code, {})
        out.append(
            Municipality(
                index=index,
                code=code,
                name_fi=a["kunta_name_fi"],
                name_sv=n.get("name_sv", a["kunta_name_fi"]),
                area_code=a["tyollisyysalue_code"],
                area_name=a["tyollisyysalue_name_fi"],
                language_ratio=int(n.get("language_ratio") or 1),
                targets=targets,
                suppressed=suppressed,
            )
        )
    return tuple(out)


def mainland_codes() -> tuple[str, ...]:
    """The 292 mainland municipalities of 2025 (Åland excluded)."""
    return tuple(m.code for m in _all_municipalities() if m.area_code != ALAND_AREA)


def municipalities(codes: Sequence[str] = ()) -> tuple[Municipality, ...]:
    """The chosen municipalities (``()`` = the mainland), sorted by code; unknown codes raise."""
    by_code = {m.code: m for m in _all_municipalities()}
    wanted = sorted(set(codes)) if codes else list(mainland_codes())
    out = []
    for c in wanted:
        m = by_code.get(c)
        if m is None:
            raise ConfigError(f"unknown municipality code {c!r} (2025 classification)")
        if m.area_code == ALAND_AREA:
            raise ConfigError(
                f"municipality {c} ({m.name_fi}) is in Åland, which runs its own employment "
                "services; the generator covers the 292 mainland municipalities"
            )
        out.append(m)
    return tuple(out)


def area_municipalities(area_code: str) -> tuple[str, ...]:
    """Municipality codes of one employment area (2025)."""
    codes = tuple(m.code for m in _all_municipalities() if m.area_code == str(area_code))
    if not codes or str(area_code) == ALAND_AREA:
        raise ConfigError(f"unknown employment area {area_code!r} (codes 1-45)")
    return codes


@cache
def postal_codes() -> dict[str, tuple[str, ...]]:
    """Municipality code -> its ordinary postal codes (type 1 = street addresses if present)."""
    out: dict[str, list[str]] = {}
    fallback: dict[str, list[str]] = {}
    for r in _read("postal_codes_2024.csv"):
        target = out if r["type_code"] == "1" else fallback
        target.setdefault(r["municipality_code"], []).append(r["postcode"])
    codes = {m.code for m in _all_municipalities()}
    merged = {c: tuple(sorted(out.get(c) or fallback.get(c) or ())) for c in codes}
    # Pertunmaa (588) merged into Mäntyharju (507) on 1.1.2025: its postal codes are Mäntyharju's.
    if "507" in merged:
        merged["507"] = tuple(sorted(set(merged["507"]) | set(out.get("588", ()))))
    return merged
