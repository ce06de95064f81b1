"""Fill empty translations in the .po files from a JSON catalogue: {msgid: {"fi": ..., "sv": ...}}.

For plural entries the value is {"fi": [singular, plural], ...} (key: the singular, or
"singular|plural"); a pgettext entry's key is "context\u0004msgid". English msgstrs stay empty (the
msgid is English). Usage (needs polib: pip install polib): python scripts/fill_translations.py CATALOGUE.json... [--force]
Reports msgids that still lack a Finnish or Swedish translation and exits 1 if any do.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "luotsi" / "locale"


def main(argv: list[str]) -> int:
    catalogue = {}
    for arg in argv:
        if arg.endswith(".json"):
            catalogue.update(json.loads(Path(arg).read_text(encoding="utf-8")))
    force = "--force" in argv
    missing = 0
    for lang in ("fi", "sv"):
        path = LOCALE / lang / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete:
                continue
            have = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            if have and not force and "fuzzy" not in entry.flags:
                continue
            key = entry.msgid
            if entry.msgid_plural and f"{key}|{entry.msgid_plural}" in catalogue:
                key = f"{key}|{entry.msgid_plural}"
            if entry.msgctxt:
                key = f"{entry.msgctxt}\u0004{key}"
            value = catalogue.get(key, {}).get(lang)
            if value is None:
                missing += 1
                print(f"{lang}: missing {entry.msgid!r}", file=sys.stderr)
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str(path))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
