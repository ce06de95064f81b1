"""Rebuild the *constructed* recordings of this folder from the verbatim 12r5 export.

Run from the repository root: ``python -m luotsi.integrations.statfin.tests.recorded.make_constructed``.
See README.md in this folder for what is verbatim and what is constructed, and from what.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[4]
EXPORT = HERE / "12r5_2026M06_pxweb_json.json"
TITLE = (
    "Työttömät työnhakijat eri ryhmissä, palveluissa olevat ja avoimet työpaikat kuukauden "
    "lopussa muuttujina Alue, Kuukausi ja Tiedot"
)


def _dump(name: str, obj: object) -> None:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    (HERE / name).write_text(text + "\n", encoding="utf-8")


def main() -> None:
    export = json.loads(EXPORT.read_text(encoding="utf-8"))
    names = {}
    with open(ROOT / "luotsi/data/municipalities_2024.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names[f"KU{row['code']}"] = row["name_fi"]
    names["SSS"] = "KOKO MAA"
    areas = [row["key"][0] for row in export["data"]]
    contents = [c for c in export["columns"] if c["type"] == "c"]
    months = [f"2026M{m:02d}" for m in range(1, 7)]
    _dump(
        "12r5_metadata_fi.json",
        {
            "title": TITLE,
            "variables": [
                {
                    "code": "Alue",
                    "text": "Alue",
                    "values": areas,
                    "valueTexts": [names.get(a, a) for a in areas],
                    "elimination": True,
                },
                {
                    "code": "timeperiod_m",
                    "text": "Kuukausi",
                    "values": months,
                    "valueTexts": months,
                    "time": True,
                },
                {
                    "code": "contentscode",
                    "text": "Tiedot",
                    "values": [c["code"] for c in contents],
                    "valueTexts": [c["text"] for c in contents],
                },
            ],
        },
    )
    _dump(
        "tyonv_folder_fi.json",
        [
            {
                "id": "12r5.px",
                "type": "t",
                "text": f"12r5 -- {TITLE}",
                "updated": "2026-07-21T05:00:00",
            },
            {
                "id": "12ti.px",
                "type": "t",
                "text": "12ti -- Työttömät työnhakijat ja avoimet työpaikat ammattiryhmittäin",
                "updated": "2026-07-21T05:00:00",
            },
        ],
    )
    _dump(
        "tyonv_folder_before_2026-06-08_fi.json",
        [
            {
                "id": "statfin_tyonv_pxt_12r5.px",
                "type": "t",
                "text": f"12r5 -- {TITLE}",
                "updated": "2026-05-26T05:00:00",
            }
        ],
    )
    _dump(
        "root_fi.json",
        [{"dbid": d, "text": d} for d in ("Kuntien_avainluvut", "StatFin", "StatFin_Passiivi")],
    )
    # JSON-stat 2.0 answer to "every area, 2026M06, every measure", in PxWeb's layout.
    values, status = [], {}
    for a_i, row in enumerate(export["data"]):
        for c_i, raw in enumerate(row["values"]):
            flat = a_i * len(contents) + c_i
            try:
                values.append(float(raw) if "." in raw else int(raw))
            except ValueError:
                values.append(None)
                status[str(flat)] = raw
    _dump(
        "12r5_2026M06_jsonstat2.json",
        {
            "class": "dataset",
            "label": TITLE,
            "source": "KEHA-keskus, Työnvälitystilasto",
            "updated": "2026-07-21T05:00:00Z",
            "id": ["Alue", "timeperiod_m", "contentscode"],
            "size": [len(areas), 1, len(contents)],
            "dimension": {
                "Alue": {
                    "label": "Alue",
                    "category": {
                        "index": {a: i for i, a in enumerate(areas)},
                        "label": {a: names.get(a, a) for a in areas},
                    },
                },
                "timeperiod_m": {
                    "label": "Kuukausi",
                    "category": {"index": {"2026M06": 0}, "label": {"2026M06": "2026M06"}},
                },
                "contentscode": {
                    "label": "Tiedot",
                    "category": {
                        "index": {c["code"]: i for i, c in enumerate(contents)},
                        "label": {c["code"]: c["text"] for c in contents},
                    },
                },
            },
            "value": values,
            "status": status,
            "role": {"time": ["timeperiod_m"], "metric": ["contentscode"]},
            "version": "2.0",
            "extension": {"px": {"tableid": "12r5", "decimals": 1}},
        },
    )


if __name__ == "__main__":
    main()
