#!/usr/bin/env python
"""Fill English translations into locale/en/LC_MESSAGES/django.po and compile both catalogues.

    python scripts/translate.py translations.json   # {"中文原文": "English", ...}
    python scripts/translate.py --missing            # list msgids still without English

Run `make messages` first so that the catalogue has the new msgids. Plural entries take a
list of two strings: ["one form", "other form"].
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
EN = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
ZH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def missing(po):
    return [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def main(argv):
    po = polib.pofile(str(EN))
    if argv and argv[0] == "--missing":
        rows = missing(po)
        for entry in rows:
            print(json.dumps(entry.msgid, ensure_ascii=False))
        print(f"{len(rows)} missing", file=sys.stderr)
        return 1 if rows else 0
    updates = {}
    for path in argv:
        updates.update(json.loads(Path(path).read_text(encoding="utf-8")))
    for entry in po:
        if entry.msgid in updates:
            value = updates[entry.msgid]
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value, value]
                entry.msgstr_plural = {0: forms[0], 1: forms[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save(str(EN))
    po.save_as_mofile(str(EN.with_suffix(".mo")))
    zh = polib.pofile(str(ZH))
    zh.save_as_mofile(str(ZH.with_suffix(".mo")))
    left = missing(po)
    print(f"{len(left)} English translations still missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
