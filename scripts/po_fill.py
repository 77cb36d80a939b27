"""Fill the msgstr entries of a .po file from JSON dicts {msgid: msgstr}.

Usage: python scripts/po_fill.py locale/ko/LC_MESSAGES/django.po locale/ko/translations/
Every *.json file in the folder is read (one per area of the code, so people working on
different areas do not edit the same file). Prints the msgids still untranslated and exits 1
if there are any (a fuzzy guess of msgmerge counts as untranslated). Plain-text parsing:
single-line and multi-line msgids.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _unfuzzy(lines: list[str]) -> list[str]:
    """Drop the fuzzy flag ("#, fuzzy" or "#, fuzzy, python-format"), keep other flags."""
    out = []
    for ln in lines:
        if ln.startswith("#,") and "fuzzy" in ln:
            flags = [f.strip() for f in ln[2:].split(",") if f.strip() != "fuzzy"]
            if flags:
                out.append("#, " + ", ".join(flags))
            continue
        out.append(ln)
    return out


def fill(po_path: str, mapping: dict[str, str]) -> list[str]:
    text = Path(po_path).read_text(encoding="utf-8")
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
        if msgid and msgid in mapping and msgstr != mapping[msgid]:
            lines = _unfuzzy(lines[:i_str]) + [f"msgstr {_quote(mapping[msgid])}"] + tail
        elif msgid and not msgstr:
            if msgid in mapping:
                lines = lines[:i_str] + [f"msgstr {_quote(mapping[msgid])}"] + tail
                lines = _unfuzzy(lines)
            else:
                missing.append(msgid)
        elif msgid and msgid in mapping and _unfuzzy(lines) != lines:
            lines = _unfuzzy(lines[:i_str]) + [f"msgstr {_quote(mapping[msgid])}"] + tail
        elif msgid and _unfuzzy(lines) != lines:
            # A fuzzy guess by msgmerge from a similar old string is not a translation.
            missing.append(msgid)
        out.append("\n".join(lines))
    Path(po_path).write_text("\n\n".join(out), encoding="utf-8")
    return missing


if __name__ == "__main__":
    po, folder = sys.argv[1], Path(sys.argv[2])
    mapping: dict[str, str] = {}
    for table in sorted(folder.glob("*.json")):
        mapping.update(json.loads(table.read_text(encoding="utf-8")))
    left = fill(po, mapping)
    for msgid in left:
        print(f"untranslated: {msgid!r}")
    sys.exit(1 if left else 0)
