"""Parsers of the reference files into validated records (no database access).

Formats (documented with examples in docs/reference-data.md):

* ``municipalities``: ``code,name_fi,name_sv,region_code,region_fi,region_sv,language_ratio``
  (+ optional ``valid_from,valid_to,merged_into``), e.g. ``luotsi/data/municipalities_2024.csv``;
* ``municipality_changes``: ``code,valid_to,merged_into,source`` (mergers, last valid day);
* ``postal_codes``: ``postcode,name_fi,name_sv,municipality_code[,valid_from]``;
* ``areas`` (the employment-area key): ``kunta_code,tyollisyysalue_code,tyollisyysalue_name_fi,
  tyollisyysalue_name_sv,tyollisyysalue_name_en`` (Statistics Finland's key as shipped), or the
  generic membership format ``area_code,municipality_code,valid_from[,valid_to,status,source,
  name_fi,name_sv,name_en]``, or the classification service's correspondence-table export (JSON
  maps or CSV ``sourceCode,sourceName,targetCode,targetName``);
* ``pilots``: ``pilot_kind,pilot_name,municipality_code,valid_from,valid_to,status,source``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .parsing import ReferenceFileError, Row, SourceFile, csv_rows, json_document

#: Start of validity used when a file does not say since when a row holds.
UNKNOWN_START = dt.date(1900, 1, 1)
#: Start of the employment areas (law 380/2023).
AREAS_START = dt.date(2025, 1, 1)
#: Åland's code in Statistics Finland's employment-area key; Åland is not an employment area.
ALAND_AREA_CODE = "46"

PILOT_KINDS = {
    "regional_2017": ("regional", "HE 51/2017"),
    "regional": ("regional", "HE 51/2017"),
    "municipal_2021": ("municipal", "1269/2020"),
    "municipal": ("municipal", "1269/2020"),
}


@dataclass(frozen=True)
class MunicipalityRecord:
    code: str
    name_fi: str
    name_sv: str
    region_code: str
    region_fi: str
    region_sv: str
    language_ratio: int
    valid_from: dt.date
    valid_to: dt.date | None
    merged_into: str | None


@dataclass(frozen=True)
class MunicipalityChange:
    code: str
    valid_to: dt.date
    merged_into: str | None
    source: str
    line: int


@dataclass(frozen=True)
class PostalCodeRecord:
    code: str
    name_fi: str
    name_sv: str
    municipality_code: str
    valid_from: dt.date | None
    line: int


@dataclass(frozen=True)
class GroupRecord:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    valid_from: dt.date
    valid_to: dt.date | None
    kind: str = ""
    legal_basis: str = ""


@dataclass(frozen=True)
class MembershipRecord:
    group_code: str
    municipality_code: str
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    source: str
    line: int


def _check_period(row: Row, start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise row.error("valid_to", f"{end.isoformat()} is before valid_from {start.isoformat()}")


def _unique(records: Iterable, key, source: str, what: str) -> None:
    seen: dict = {}
    for r in records:
        k = key(r)
        if k in seen:
            raise ReferenceFileError(
                source,
                f"duplicate {what} {k} (also on line {seen[k]})",
                line=getattr(r, "line", None),
            )
        seen[k] = getattr(r, "line", "?")


def parse_municipalities(src: SourceFile) -> list[MunicipalityRecord]:
    required = [
        "code",
        "name_fi",
        "name_sv",
        "region_code",
        "region_fi",
        "region_sv",
        "language_ratio",
    ]
    out: list[MunicipalityRecord] = []
    lines: dict[str, int] = {}
    for row in csv_rows(src, required):
        code = row.code("code", 3)
        if code in lines:
            raise row.error(
                "code", f"municipality {code} appears twice (first on line {lines[code]})"
            )
        lines[code] = row.line
        start = row.date("valid_from", required=False) or UNKNOWN_START
        end = row.date("valid_to", required=False)
        _check_period(row, start, end)
        merged = row.get("merged_into", required=False)
        out.append(
            MunicipalityRecord(
                code=code,
                name_fi=row.get("name_fi"),
                name_sv=row.get("name_sv", required=False),
                region_code=row.code("region_code", 2),
                region_fi=row.get("region_fi"),
                region_sv=row.get("region_sv", required=False),
                language_ratio=row.integer("language_ratio", choices=(1, 2, 3, 4)),
                valid_from=start,
                valid_to=end,
                merged_into=merged.zfill(3) if merged else None,
            )
        )
    return out


def parse_municipality_changes(src: SourceFile) -> list[MunicipalityChange]:
    out = [
        MunicipalityChange(
            code=row.code("code", 3),
            valid_to=row.date("valid_to"),
            merged_into=(row.get("merged_into", required=False) or None),
            source=row.get("source"),
            line=row.line,
        )
        for row in csv_rows(src, ["code", "valid_to", "merged_into", "source"])
    ]
    _unique(out, lambda r: r.code, src.name, "municipality")
    return out


def parse_postal_codes(src: SourceFile) -> list[PostalCodeRecord]:
    out = []
    for row in csv_rows(src, ["postcode", "name_fi", "municipality_code"]):
        code = row.get("postcode")
        if not re.fullmatch(r"\d{5}", code):
            raise row.error("postcode", f"{code!r} is not a five-digit postal code")
        out.append(
            PostalCodeRecord(
                code=code,
                name_fi=row.get("name_fi"),
                name_sv=row.get("name_sv", required=False),
                municipality_code=row.code("municipality_code", 3),
                valid_from=row.date("valid_from", required=False),
                line=row.line,
            )
        )
    _unique(out, lambda r: r.code, src.name, "postal code")
    return out


@dataclass(frozen=True)
class GroupFile:
    """Groups (areas or pilots) and their memberships parsed from one file."""

    groups: dict[str, GroupRecord]
    memberships: list[MembershipRecord]
    skipped: dict[str, int]


def _group_name_conflict(row: Row, groups: dict[str, GroupRecord], rec: GroupRecord) -> None:
    old = groups.get(rec.code)
    if old is not None and old.name_fi != rec.name_fi:
        raise row.error(
            "name_fi", f"group {rec.code} is named {old.name_fi!r} above and {rec.name_fi!r} here"
        )


def parse_areas(src: SourceFile, *, valid_from: dt.date = AREAS_START) -> GroupFile:
    """Employment areas and memberships from any of the supported area formats."""
    if src.text.lstrip().startswith(("[", "{")):
        return _parse_area_correspondence_json(src, valid_from)
    header = src.text.splitlines()[0]
    if "tyollisyysalue_code" in header:
        return _parse_area_key(src, valid_from)
    if "sourceCode" in header:
        return _parse_area_correspondence_csv(src, valid_from)
    return _parse_area_generic(src)


def _area_membership(
    groups,
    memberships,
    skipped,
    row: Row,
    area: GroupRecord,
    municipality: str,
    status: str,
    source: str,
):
    if area.code == ALAND_AREA_CODE:
        skipped["aland"] = skipped.get("aland", 0) + 1
        return
    _group_name_conflict(row, groups, area)
    groups.setdefault(area.code, area)
    memberships.append(
        MembershipRecord(area.code, municipality, area.valid_from, None, status, source, row.line)
    )


def _parse_area_key(src: SourceFile, valid_from: dt.date) -> GroupFile:
    groups: dict[str, GroupRecord] = {}
    memberships: list[MembershipRecord] = []
    skipped: dict[str, int] = {}
    required = ["kunta_code", "tyollisyysalue_code", "tyollisyysalue_name_fi"]
    for row in csv_rows(src, required):
        area = GroupRecord(
            code=str(row.integer("tyollisyysalue_code")),
            name_fi=row.get("tyollisyysalue_name_fi"),
            name_sv=row.get("tyollisyysalue_name_sv", required=False),
            name_en=row.get("tyollisyysalue_name_en", required=False),
            valid_from=valid_from,
            valid_to=None,
        )
        _area_membership(
            groups,
            memberships,
            skipped,
            row,
            area,
            row.code("kunta_code", 3),
            "classification",
            f"Statistics Finland employment-area key ({src.name})",
        )
    _unique(memberships, lambda m: m.municipality_code, src.name, "municipality")
    return GroupFile(groups, memberships, skipped)


def _parse_area_correspondence_csv(src: SourceFile, valid_from: dt.date) -> GroupFile:
    groups: dict[str, GroupRecord] = {}
    memberships: list[MembershipRecord] = []
    skipped: dict[str, int] = {}
    for row in csv_rows(src, ["sourceCode", "targetCode", "targetName"]):
        name = row.get("targetName")
        area = GroupRecord(str(row.integer("targetCode")), name, "", "", valid_from, None)
        _area_membership(
            groups,
            memberships,
            skipped,
            row,
            area,
            row.code("sourceCode", 3),
            "classification",
            f"Statistics Finland classification service ({src.name})",
        )
    _unique(memberships, lambda m: m.municipality_code, src.name, "municipality")
    return GroupFile(groups, memberships, skipped)


def _item(entry: dict, *keys: str) -> dict:
    for k in keys:
        if isinstance(entry.get(k), dict):
            return entry[k]
    raise KeyError(keys[0])


def _names(item: dict) -> dict[str, str]:
    names = {}
    for n in item.get("classificationItemNames") or []:
        names[str(n.get("lang", "")).lower()[:2]] = n.get("name", "")
    return names


def _parse_area_correspondence_json(src: SourceFile, valid_from: dt.date) -> GroupFile:
    doc = json_document(src)
    maps = doc if isinstance(doc, list) else doc.get("maps") or doc.get("items") or []
    groups: dict[str, GroupRecord] = {}
    memberships: list[MembershipRecord] = []
    skipped: dict[str, int] = {}
    for index, entry in enumerate(maps, start=1):
        row = Row(src.name, index, {})
        try:
            source_item = _item(entry, "sourceItem", "source")
            target_item = _item(entry, "targetItem", "target")
        except (KeyError, AttributeError) as exc:
            raise ReferenceFileError(
                src.name, f"map {index} lacks a sourceItem/targetItem object", line=None
            ) from exc
        code = str(source_item.get("code", ""))
        target = str(target_item.get("code", "")).lstrip("0") or "0"
        if not code.isdigit() or not target.isdigit():
            raise ReferenceFileError(
                src.name, f"map {index}: codes must be digits ({code!r} -> {target!r})"
            )
        names = _names(target_item)
        area = GroupRecord(
            target,
            names.get("fi", target),
            names.get("sv", ""),
            names.get("en", ""),
            valid_from,
            None,
        )
        _area_membership(
            groups,
            memberships,
            skipped,
            row,
            area,
            code.zfill(3),
            "classification",
            f"Statistics Finland classification service ({src.name})",
        )
    if not memberships:
        raise ReferenceFileError(src.name, "no correspondence maps found")
    return GroupFile(groups, memberships, skipped)


def _parse_area_generic(src: SourceFile) -> GroupFile:
    groups: dict[str, GroupRecord] = {}
    memberships: list[MembershipRecord] = []
    skipped: dict[str, int] = {}
    for row in csv_rows(src, ["area_code", "municipality_code", "valid_from"]):
        start = row.date("valid_from")
        end = row.date("valid_to", required=False)
        _check_period(row, start, end)
        code = str(row.integer("area_code"))
        name = row.get("name_fi", required=False)
        if code not in groups or name:
            area = GroupRecord(
                code,
                name or code,
                row.get("name_sv", required=False),
                row.get("name_en", required=False),
                start,
                None,
            )
            if code not in groups:
                groups[code] = area
            else:
                _group_name_conflict(row, groups, area)
        if code == ALAND_AREA_CODE:
            skipped["aland"] = skipped.get("aland", 0) + 1
            continue
        memberships.append(
            MembershipRecord(
                code,
                row.code("municipality_code", 3),
                start,
                end,
                row.get("status", required=False) or "user_file",
                row.get("source", required=False) or src.name,
                row.line,
            )
        )
    groups.pop(ALAND_AREA_CODE, None)
    _check_overlaps(src, memberships)
    return GroupFile(groups, memberships, skipped)


def _slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def parse_pilots(src: SourceFile) -> GroupFile:
    required = [
        "pilot_kind",
        "pilot_name",
        "municipality_code",
        "valid_from",
        "valid_to",
        "status",
        "source",
    ]
    groups: dict[str, GroupRecord] = {}
    memberships: list[MembershipRecord] = []
    for row in csv_rows(src, required):
        raw_kind = row.get("pilot_kind")
        if raw_kind not in PILOT_KINDS:
            raise row.error("pilot_kind", f"{raw_kind!r} is not one of {', '.join(PILOT_KINDS)}")
        kind, legal = PILOT_KINDS[raw_kind]
        name = row.get("pilot_name")
        start = row.date("valid_from")
        end = row.date("valid_to")
        _check_period(row, start, end)
        code = f"{kind}-{start.year}-{_slug(name)}"
        old = groups.get(code)
        groups[code] = GroupRecord(
            code,
            name,
            "",
            "",
            min(start, old.valid_from) if old else start,
            max(end, old.valid_to) if old and old.valid_to else end,
            kind=kind,
            legal_basis=legal,
        )
        memberships.append(
            MembershipRecord(
                code,
                row.code("municipality_code", 3),
                start,
                end,
                row.get("status"),
                row.get("source"),
                row.line,
            )
        )
    _check_overlaps(src, memberships)
    return GroupFile(groups, memberships, {})


def _check_overlaps(src: SourceFile, memberships: list[MembershipRecord]) -> None:
    """A municipality cannot be in the same group twice at once."""
    by_key: dict[tuple[str, str], list[MembershipRecord]] = {}
    for m in memberships:
        by_key.setdefault((m.group_code, m.municipality_code), []).append(m)
    for rows in by_key.values():
        rows.sort(key=lambda m: m.valid_from)
        for a, b in itertools.pairwise(rows):
            if a.valid_to is None or b.valid_from <= a.valid_to:
                raise ReferenceFileError(
                    src.name,
                    f"municipality {b.municipality_code} is in {b.group_code} twice at the same time "
                    f"(also line {a.line})",
                    line=b.line,
                    column="valid_from",
                )
