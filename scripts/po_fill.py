"""Fill empty msgstr entries of a .po file from a JSON dict {msgid: msgstr}.

Usage: python scripts/po_fill.py locale/ko/LC_MESSAGES/django.po translations.json
Prints the msgids still untranslated. Plain-text parsing: single-line and multi-line msgids.
"""

from __future__ import annotations

import json
import re
import sys


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: str, mapping: dict[str, str]) -> list[str]:
    text = open(po_path, encoding="utf-8").read()
    blocks = text.split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        try:
            i_id = next(i for i, ln in enumerate(lines) if ln.startswith("msgid "))
            i_str = next(i for i, ln in enumerate(lines) if ln.startswith("msgstr"))
        except StopIteration:
            out.append(block)
            continue
        if any(ln.startswith("msgid_plural") for ln in lines):
            out.append(block)
            continue
        j = i_str + 1
        while j < len(lines) and lines[j].startswith('"'):
            j += 1
        tail = lines[j:]
        msgid = _unquote(lines[i_id:i_str])
        msgstr = _unquote(lines[i_str:j])
        if msgid and not msgstr:
            if msgid in mapping:
                lines = lines[:i_str] + [f"msgstr {_quote(mapping[msgid])}"] + tail
                lines = [ln for ln in lines if ln != "#, fuzzy"]
            else:
                missing.append(msgid)
        elif msgid and "#, fuzzy" in lines and msgid in mapping:
            lines = (
                [ln for ln in lines[:i_str] if ln != "#, fuzzy"]
                + [f"msgstr {_quote(mapping[msgid])}"]
                + tail
            )
        out.append("\n".join(lines))
    open(po_path, "w", encoding="utf-8").write("\n\n".join(out))
    return missing


if __name__ == "__main__":
    po, table = sys.argv[1], sys.argv[2]
    left = fill(po, json.load(open(table, encoding="utf-8")))
    for msgid in left:
        print(f"untranslated: {msgid!r}")
    sys.exit(1 if left else 0)
