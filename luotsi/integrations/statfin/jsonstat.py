"""Parse PxWeb responses (JSON-stat 2.0 and PxWeb's own ``json`` format) into tidy cells.

A PxWeb table is a cube: one value per combination of the categories of its dimensions. JSON-stat
2.0 (https://json-stat.org/format/) sends the values as one flat array in **row-major order**: the
last dimension in ``id`` varies fastest. ``value`` may be a list or, for sparse cubes, an object
keyed by the flat index; a missing or ``null`` value is a cell without a number, and the optional
``status`` (a string for every cell, a list, or an object keyed by flat index) tells why, e.g.
``"..."`` when Statistics Finland suppresses a small count.

PxWeb's ``json`` format (``{"columns": [...], "data": [{"key": [...], "values": [...]}]}``) sends
each value as a string; non-numeric strings such as ``"..."`` (suppressed) and ``"."`` (not
available) are status markers. Both parsers return the same :class:`Dataset`, so the callers
never care which format the server used.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Status of a cell whose value is present.
OK = ""
#: Statistics Finland's marker for a suppressed (confidential) cell; 12r5 suppresses counts 1-4.
SUPPRESSED = "..."
#: Marker for a cell that is not available or logically impossible.
NOT_AVAILABLE = "."


class JsonStatError(ValueError):
    """The response is not a well-formed JSON-stat 2.0 dataset or PxWeb json table."""


@dataclass(frozen=True, slots=True)
class Dimension:
    """One dimension of a cube: its id, label, category codes in cube order and their labels."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of the cube: the category code of every dimension, the value and its status."""

    key: tuple[str, ...]
    value: float | None
    status: str = OK


@dataclass(frozen=True, slots=True, eq=False)
class Dataset:
    """A parsed cube. ``values[i]`` and ``statuses[i]`` belong to flat (row-major) index ``i``."""

    label: str
    source: str
    updated: str
    dimensions: tuple[Dimension, ...]
    values: tuple[float | None, ...]
    statuses: tuple[str, ...]
    time_dimension: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(f"the dataset has no dimension {dim_id!r}; it has {list(self.ids)}")

    def cells(self) -> Iterator[Cell]:
        """Every cell in row-major order (the last dimension varies fastest)."""
        sizes = [d.size for d in self.dimensions]
        codes = [d.codes for d in self.dimensions]
        for flat, (value, status) in enumerate(zip(self.values, self.statuses, strict=True)):
            key = []
            rest = flat
            for size, dim_codes in zip(reversed(sizes), reversed(codes), strict=True):
                rest, pos = divmod(rest, size)
                key.append(dim_codes[pos])
            yield Cell(tuple(reversed(key)), value, status)

    def records(self) -> Iterator[dict[str, Any]]:
        """Tidy rows: ``{dimension id: code, ..., "value": float | None, "status": str}``."""
        ids = self.ids
        for cell in self.cells():
            row: dict[str, Any] = dict(zip(ids, cell.key, strict=True))
            row["value"] = cell.value
            row["status"] = cell.status
            yield row


def _number(raw: Any, where: str) -> tuple[float | None, str]:
    """A JSON value as (number, status); strings that are not numbers are status markers."""
    if raw is None:
        return None, OK
    if isinstance(raw, bool):
        raise JsonStatError(f"{where}: expected a number, got {raw!r}")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and math.isnan(raw):
            return None, OK
        return float(raw), OK
    if isinstance(raw, str):
        text = raw.strip()
        try:
            return float(text), OK
        except ValueError:
            if not text or any(ch.isalnum() for ch in text):
                raise JsonStatError(
                    f"{where}: {raw!r} is neither a number nor a status marker"
                ) from None
            return None, text
    raise JsonStatError(f"{where}: expected a number, got {type(raw).__name__}")


def _statuses(raw: Any, n: int) -> list[str]:
    if raw is None:
        return [OK] * n
    if isinstance(raw, str):
        return [raw] * n
    if isinstance(raw, list):
        if len(raw) not in (1, n):
            raise JsonStatError(f"status: {len(raw)} entries for {n} values")
        return [str(s or "") for s in raw] * (n if len(raw) == 1 else 1)
    if isinstance(raw, dict):
        out = [OK] * n
        for k, s in raw.items():
            i = int(k)
            if not 0 <= i < n:
                raise JsonStatError(f"status: index {k} outside 0..{n - 1}")
            out[i] = str(s or "")
        return out
    raise JsonStatError(f"status: unexpected type {type(raw).__name__}")


def _category(dim_id: str, spec: Mapping[str, Any], size: int) -> tuple[tuple[str, ...], dict]:
    cat = spec.get("category")
    if not isinstance(cat, Mapping):
        raise JsonStatError(f"dimension {dim_id!r}: no category")
    index = cat.get("index")
    labels = dict(cat.get("label") or {})
    if index is None:  # a single category may be given by its label only
        codes = tuple(labels)
    elif isinstance(index, list):
        codes = tuple(str(c) for c in index)
    elif isinstance(index, Mapping):
        ordered = sorted(index.items(), key=lambda kv: int(kv[1]))
        if [int(pos) for _, pos in ordered] != list(range(len(ordered))):
            raise JsonStatError(f"dimension {dim_id!r}: category index is not 0..n-1")
        codes = tuple(str(c) for c, _ in ordered)
    else:
        raise JsonStatError(f"dimension {dim_id!r}: category index must be a list or an object")
    if len(codes) != size:
        raise JsonStatError(f"dimension {dim_id!r}: {len(codes)} categories but size says {size}")
    return codes, {str(k): str(v) for k, v in labels.items()}


def parse_jsonstat2(obj: Mapping[str, Any]) -> Dataset:
    """Parse a JSON-stat 2.0 ``dataset`` response (the PxWeb ``json-stat2`` format)."""
    if not isinstance(obj, Mapping):
        raise JsonStatError("expected a JSON object")
    if obj.get("class") != "dataset":
        raise JsonStatError(f"expected class 'dataset', got {obj.get('class')!r}")
    if str(obj.get("version", "")) != "2.0":
        raise JsonStatError(f"expected JSON-stat version 2.0, got {obj.get('version')!r}")
    ids, sizes, dims_raw = obj.get("id"), obj.get("size"), obj.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise JsonStatError("'id' and 'size' must be lists of the same length")
    if not isinstance(dims_raw, Mapping):
        raise JsonStatError("'dimension' must be an object")
    dims = []
    for dim_id, size in zip(ids, sizes, strict=True):
        spec = dims_raw.get(dim_id)
        if not isinstance(spec, Mapping):
            raise JsonStatError(f"dimension {dim_id!r} is listed in 'id' but not described")
        codes, labels = _category(dim_id, spec, int(size))
        dims.append(Dimension(str(dim_id), str(spec.get("label", dim_id)), codes, labels))
    n = math.prod(int(s) for s in sizes)
    raw_values = obj.get("value")
    if isinstance(raw_values, list):
        if len(raw_values) != n:
            raise JsonStatError(f"'value' has {len(raw_values)} entries; the sizes make {n}")
        pairs = [_number(v, f"value[{i}]") for i, v in enumerate(raw_values)]
    elif isinstance(raw_values, Mapping):
        pairs = [(None, OK)] * n
        for k, v in raw_values.items():
            i = int(k)
            if not 0 <= i < n:
                raise JsonStatError(f"value: index {k} outside 0..{n - 1}")
            pairs[i] = _number(v, f"value[{k}]")
    else:
        raise JsonStatError("'value' must be a list or an object")
    status = _statuses(obj.get("status"), n)
    # A number with a status flag keeps its number; a null without a status is "not available".
    statuses = tuple(
        s or p[1] or (NOT_AVAILABLE if p[0] is None else OK)
        for s, p in zip(status, pairs, strict=True)
    )
    role = obj.get("role") or {}
    time_ids = role.get("time") or []
    notes = obj.get("note") or []
    return Dataset(
        label=str(obj.get("label", "")),
        source=str(obj.get("source", "")),
        updated=str(obj.get("updated", "")),
        dimensions=tuple(dims),
        values=tuple(v for v, _ in pairs),
        statuses=statuses,
        time_dimension=str(time_ids[0]) if time_ids else None,
        notes=tuple(str(x) for x in (notes if isinstance(notes, list) else [notes])),
    )


def parse_pxweb_json(obj: Mapping[str, Any]) -> Dataset:
    """Parse PxWeb's ``json`` response format into a :class:`Dataset`.

    Dimensions (column type ``d`` or ``t``) come in the order of ``columns``; the content columns
    (type ``c``) become a last dimension ``contentscode`` so that the cube has one value per cell.
    Only the combinations present in ``data`` are known; absent ones are cells without value.
    """
    if not isinstance(obj, Mapping) or not isinstance(obj.get("columns"), list):
        raise JsonStatError("expected a PxWeb json object with 'columns' and 'data'")
    columns = obj["columns"]
    dim_cols = [c for c in columns if c.get("type") in ("d", "t")]
    content_cols = [c for c in columns if c.get("type") == "c"]
    if not content_cols:
        raise JsonStatError("the PxWeb json table has no content column (type 'c')")
    data = obj.get("data")
    if not isinstance(data, list):
        raise JsonStatError("'data' must be a list")
    seen: list[dict[str, None]] = [{} for _ in dim_cols]
    for r, row in enumerate(data):
        key = row.get("key")
        if not isinstance(key, list) or len(key) != len(dim_cols):
            raise JsonStatError(f"data[{r}]: key must list one code per dimension")
        if len(row.get("values") or []) != len(content_cols):
            raise JsonStatError(f"data[{r}]: expected {len(content_cols)} values")
        for i, code in enumerate(key):
            seen[i].setdefault(str(code), None)
    dims = [
        Dimension(str(c["code"]), str(c.get("text", c["code"])), tuple(seen[i]))
        for i, c in enumerate(dim_cols)
    ]
    dims.append(
        Dimension(
            "contentscode",
            "contentscode",
            tuple(str(c["code"]) for c in content_cols),
            {str(c["code"]): str(c.get("text", c["code"])) for c in content_cols},
        )
    )
    strides = _strides([d.size for d in dims])
    positions = [{code: p for p, code in enumerate(d.codes)} for d in dims]
    n = math.prod(d.size for d in dims)
    values: list[float | None] = [None] * n
    statuses: list[str] = [NOT_AVAILABLE] * n
    for r, row in enumerate(data):
        base = sum(strides[i] * positions[i][str(c)] for i, c in enumerate(row["key"]))
        for j, raw in enumerate(row["values"]):
            values[base + j], statuses[base + j] = _number(raw, f"data[{r}].values[{j}]")
    meta = (obj.get("metadata") or [{}])[0]
    time_cols = [str(c["code"]) for c in dim_cols if c.get("type") == "t"]
    return Dataset(
        label=str(meta.get("label", "")),
        source=str(meta.get("source", "")),
        updated=str(meta.get("updated", "")),
        dimensions=tuple(dims),
        values=tuple(values),
        statuses=tuple(statuses),
        time_dimension=time_cols[0] if time_cols else None,
    )


def _strides(sizes: Sequence[int]) -> list[int]:
    out = [1] * len(sizes)
    for i in range(len(sizes) - 2, -1, -1):
        out[i] = out[i + 1] * sizes[i + 1]
    return out


def parse_response(obj: Mapping[str, Any]) -> Dataset:
    """Parse either format, recognised by its shape."""
    if isinstance(obj, Mapping) and obj.get("class") == "dataset":
        return parse_jsonstat2(obj)
    if isinstance(obj, Mapping) and "columns" in obj:
        return parse_pxweb_json(obj)
    raise JsonStatError("the response is neither JSON-stat 2.0 nor PxWeb json")
