"""Fill translations into a catalog from a JSON object {msgid: msgstr} read on standard input.

Usage: python scripts/po_fill.py translations/zh_Hans_CN/LC_MESSAGES/messages.po < new.json
Prints the msgids that are still untranslated, so nothing slips through.
"""

from __future__ import annotations

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(path: str) -> int:
    """Merge the given translations into the catalog at ``path`` and list what is still missing."""
    updates = json.load(sys.stdin)
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and message.id in updates:
            message.string = updates[message.id]
            message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=110)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
