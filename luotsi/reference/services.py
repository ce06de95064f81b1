"""Loading reference data: validate the whole file first, then write it in one transaction.

Every loader is idempotent (a second run changes nothing and logs nothing) and atomic (a bad file
raises :class:`~luotsi.reference.parsing.ReferenceFileError` naming the line and column, and nothing
is written). Loads that change something are logged in :class:`ReferenceImport` and the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import models, transaction

from luotsi.core.services import audit

from . import loaders
from .models import (
    AreaMembership,
    EmploymentArea,
    Municipality,
    Pilot,
    PilotMembership,
    PostalCode,
    ReferenceImport,
    Region,
)
from .parsing import ReferenceFileError, SourceFile

Progress = Callable[[Iterable, str, int], Iterable]


def no_progress(items: Iterable, _label: str, _total: int) -> Iterable:
    return items


def packaged(name: str) -> Path:
    """Path of a data file shipped in ``luotsi/data``."""
    return Path(str(resources.files("luotsi") / "data" / name))


@dataclass
class LoadResult:
    dataset: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __str__(self) -> str:
        text = (
            f"{self.dataset}: {self.rows} rows from {self.source}: {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        return text + "".join(f"; {n}" for n in self.notes)


def _upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    result: LoadResult,
) -> models.Model:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.created += 1
        return obj
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for k, v in changed.items():
            setattr(obj, k, v)
        obj.save(update_fields=list(changed))
        result.updated += 1
    else:
        result.unchanged += 1
    return obj


def _finish(result: LoadResult, src: SourceFile, actor) -> LoadResult:
    if result.changed:
        ReferenceImport.objects.create(
            dataset=result.dataset,
            source_name=src.name,
            sha256=src.sha256,
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            actor=actor,
        )
        audit(
            actor=actor,
            action="reference_import",
            object_type=f"reference.{result.dataset}",
            object_id=src.sha256[:16],
            summary=str(result),
        )
    return result


def _municipality_map(
    codes: Iterable[str], src: SourceFile, lines: dict[str, int]
) -> dict[str, Municipality]:
    found = {m.code: m for m in Municipality.objects.filter(code__in=set(codes))}
    for code in codes:
        if code not in found:
            raise ReferenceFileError(
                src.name,
                f"municipality {code} is unknown; load municipalities first",
                line=lines.get(code),
                column="municipality_code",
            )
    return found


def load_municipalities(
    path: str | Path | None = None,
    *,
    changes: str | Path | None = None,
    actor=None,
    progress: Progress = no_progress,
) -> LoadResult:
    """Regions and municipalities, then mergers (``municipality_changes.csv``)."""
    src = SourceFile.read(path or packaged("municipalities_2024.csv"))
    records = loaders.parse_municipalities(src)
    change_src = SourceFile.read(changes or packaged("municipality_changes.csv"))
    change_rows = loaders.parse_municipality_changes(change_src)
    known = {r.code for r in records}
    for c in change_rows:
        for code, column in ((c.code, "code"), (c.merged_into, "merged_into")):
            if code and code not in known and not Municipality.objects.filter(code=code).exists():
                raise ReferenceFileError(
                    change_src.name, f"municipality {code} is unknown", line=c.line, column=column
                )
    result = LoadResult("municipalities", src.name, rows=len(records) + len(change_rows))
    ends = {c.code: c.valid_to for c in change_rows}
    with transaction.atomic():
        regions: dict[str, Region] = {}
        for r in progress(records, "municipalities", len(records)):
            region = regions.get(r.region_code)
            if region is None:
                region = _upsert(
                    Region,
                    {"code": r.region_code},
                    {"name_fi": r.region_fi, "name_sv": r.region_sv},
                    result,
                )
                regions[r.region_code] = region
            _upsert(
                Municipality,
                {"code": r.code},
                {
                    "name_fi": r.name_fi,
                    "name_sv": r.name_sv,
                    "region": region,
                    "language_ratio": r.language_ratio,
                    "valid_from": r.valid_from,
                    "valid_to": ends.get(r.code, r.valid_to),
                },
                result,
            )
        for c in change_rows:
            merged = Municipality.objects.get(code=c.merged_into) if c.merged_into else None
            _upsert(
                Municipality,
                {"code": c.code},
                {"valid_to": c.valid_to, "merged_into": merged},
                result,
            )
        # Region rows were counted as rows too when first seen; keep "rows" as file rows only.
        return _finish(result, src, actor)


def load_postal_codes(
    path: str | Path | None = None, *, actor=None, progress: Progress = no_progress
) -> LoadResult:
    src = SourceFile.read(path or packaged("postal_codes_2024.csv"))
    records = loaders.parse_postal_codes(src)
    lines = {r.municipality_code: r.line for r in records}
    municipalities = _municipality_map([r.municipality_code for r in records], src, lines)
    result = LoadResult("postal_codes", src.name, rows=len(records))
    existing = {p.code: p for p in PostalCode.objects.all()}
    with transaction.atomic():
        to_create = []
        for r in progress(records, "postal codes", len(records)):
            values = {
                "name_fi": r.name_fi,
                "name_sv": r.name_sv,
                "municipality_id": municipalities[r.municipality_code].pk,
                "valid_from": r.valid_from,
            }
            obj = existing.get(r.code)
            if obj is None:
                to_create.append(PostalCode(code=r.code, **values))
                result.created += 1
            elif any(getattr(obj, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(obj, k, v)
                obj.save()
                result.updated += 1
            else:
                result.unchanged += 1
        PostalCode.objects.bulk_create(to_create, batch_size=1000)
        return _finish(result, src, actor)


def _load_groups(
    *,
    dataset: str,
    src: SourceFile,
    parsed: loaders.GroupFile,
    group_model: type[models.Model],
    membership_model: type[models.Model],
    group_field: str,
    actor,
    progress: Progress,
    close_superseded: bool,
) -> LoadResult:
    lines = {m.municipality_code: m.line for m in parsed.memberships}
    municipalities = _municipality_map(
        [m.municipality_code for m in parsed.memberships], src, lines
    )
    for m in parsed.memberships:
        mun = municipalities[m.municipality_code]
        if mun.valid_to is not None and m.valid_from > mun.valid_to:
            raise ReferenceFileError(
                src.name,
                f"municipality {mun.code} ceased on {mun.valid_to.isoformat()}, before this membership starts",
                line=m.line,
                column="municipality_code",
            )
    result = LoadResult(dataset, src.name, rows=len(parsed.memberships))
    if parsed.skipped.get("aland"):
        result.notes.append(
            f"{parsed.skipped['aland']} Åland rows skipped (not an employment area)"
        )
    with transaction.atomic():
        groups = {}
        for g in parsed.groups.values():
            values = {
                "name_fi": g.name_fi,
                "name_sv": g.name_sv,
                "name_en": g.name_en,
                "valid_from": g.valid_from,
                "valid_to": g.valid_to,
            }
            if group_model is Pilot:
                values.update(kind=g.kind, legal_basis=g.legal_basis)
            else:
                obj = group_model.objects.filter(code=g.code).first()
                if obj is not None:  # keep the earliest start and names given before if blank now
                    values["valid_from"] = min(obj.valid_from, g.valid_from)
                    for k in ("name_sv", "name_en"):
                        values[k] = values[k] or getattr(obj, k)
            groups[g.code] = _upsert(group_model, {"code": g.code}, values, result)
        for m in progress(parsed.memberships, dataset, len(parsed.memberships)):
            mun = municipalities[m.municipality_code]
            group = groups[m.group_code]
            if close_superseded:
                _close_superseded(membership_model, group_field, group, mun, m.valid_from, result)
            _upsert(
                membership_model,
                {group_field: group, "municipality": mun, "valid_from": m.valid_from},
                {"valid_to": m.valid_to, "status": m.status, "source": m.source},
                result,
            )
        return _finish(result, src, actor)


def _close_superseded(
    model, group_field, group, municipality, start: dt.date, result: LoadResult
) -> None:
    """End an open membership of the municipality in another group when a newer key moves it."""
    stale = model.objects.filter(
        municipality=municipality, valid_to__isnull=True, valid_from__lt=start
    ).exclude(**{group_field: group})
    for old in stale:
        old.valid_to = start - dt.timedelta(days=1)
        old.save(update_fields=["valid_to"])
        result.updated += 1


def load_areas(
    path: str | Path | None = None,
    *,
    valid_from: dt.date = loaders.AREAS_START,
    actor=None,
    progress: Progress = no_progress,
) -> LoadResult:
    """Employment areas and their time-valid memberships (any format of ``loaders.parse_areas``)."""
    src = SourceFile.read(path or packaged("tyollisyysalueet_2025.csv"))
    parsed = loaders.parse_areas(src, valid_from=valid_from)
    return _load_groups(
        dataset="areas",
        src=src,
        parsed=parsed,
        group_model=EmploymentArea,
        membership_model=AreaMembership,
        group_field="area",
        actor=actor,
        progress=progress,
        close_superseded=True,
    )


def load_pilots(
    path: str | Path | None = None, *, actor=None, progress: Progress = no_progress
) -> LoadResult:
    """Pilots and memberships; the shipped file is incomplete and says so per row (status)."""
    src = SourceFile.read(path or packaged("pilots_partial.csv"))
    parsed = loaders.parse_pilots(src)
    return _load_groups(
        dataset="pilots",
        src=src,
        parsed=parsed,
        group_model=Pilot,
        membership_model=PilotMembership,
        group_field="pilot",
        actor=actor,
        progress=progress,
        close_superseded=False,
    )


def load_all(*, actor=None, progress: Progress = no_progress) -> list[LoadResult]:
    """Everything shipped in ``luotsi/data`` (what ``luotsi reference load`` runs by default)."""
    return [
        load_municipalities(actor=actor, progress=progress),
        load_postal_codes(actor=actor, progress=progress),
        load_areas(actor=actor, progress=progress),
        load_pilots(actor=actor, progress=progress),
    ]
