"""Tokenizer shared by indexing and querying.

Korean has no spaces inside compound words (무료배송, 할인쿠폰), and a search for a two-syllable
word (배송, 환불, 할인) must find it inside longer words. So text is split into runs by script:

- Hangul / CJK / kana runs are indexed as character **bigrams** (배송비 → 배송, 송비) plus the
  run's last character alone (so a one-syllable query can be answered with a prefix lookup).
  A query term of two or more characters needs all of its bigrams, then the candidate is
  verified by substring: exactly the recall of ``LIKE '%배송%'``.
- Latin words are lowercased (NFKC + casefold) and indexed as their **prefixes** of 2..10
  characters (a one-letter word as itself): ``Refunds`` → re, ref, refu, refun, refund,
  refunds. A query word matches words that *start* with it (refund → Refunds, refunded), case
  insensitively; it does not match inside a word (fund does not find refund).
- Numbers match as **whole numbers**, and a thousands separator is ignored: ``3,000`` and
  ``3000`` are the same token ``3000`` (both find 3,000원 and 3000원; neither finds 30000).

Everything else (punctuation, emoji, spaces) separates runs and is not searchable.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_TOKEN_CHARS = 32
LATIN_PREFIX_MAX = 10
# Prefix range upper bound: every token that starts with t sorts in [t, t + TOP).
TOP = "\U0010ffff"

CJK, LATIN, DIGIT = "cjk", "latin", "digit"


def char_class(ch: str) -> str | None:
    o = ord(ch)
    if (
        0xAC00 <= o <= 0xD7A3  # Hangul syllables
        or 0x1100 <= o <= 0x11FF  # Hangul jamo
        or 0x3130 <= o <= 0x318F  # Hangul compatibility jamo
        or 0x3040 <= o <= 0x30FF  # kana
        or 0x3400 <= o <= 0x4DBF  # CJK extension A
        or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= o <= 0xFAFF  # CJK compatibility ideographs
    ):
        return CJK
    if ch.isdigit() and ch.isascii():
        return DIGIT
    if ch.isalpha():
        return LATIN
    return None


@dataclass(frozen=True)
class Normalized:
    """Normalized text plus, for each of its characters, the index of the source character."""

    text: str
    source: tuple[int, ...]


def normalize(text: str) -> Normalized:
    """NFKC, casefold, and drop a comma between digits when three digits follow (3,000 → 3000),
    keeping a map back to the original positions (for highlighting)."""
    out: list[str] = []
    src: list[int] = []
    n = len(text)
    for i, ch in enumerate(text):
        if (
            ch == ","
            and i > 0
            and text[i - 1].isdigit()
            and i + 3 < n
            and text[i + 1 : i + 4].isdigit()
            and text[i + 1 : i + 4].isascii()
            and (i + 4 == n or not text[i + 4].isdigit())
        ):
            continue
        folded = unicodedata.normalize("NFKC", ch).casefold()
        for piece in folded:
            out.append(piece)
            src.append(i)
    return Normalized("".join(out), tuple(src))


@dataclass(frozen=True)
class Run:
    kind: str
    text: str
    start: int  # index in the normalized text


def runs(normalized: str) -> list[Run]:
    result: list[Run] = []
    start = 0
    current: str | None = None
    for i, ch in enumerate(normalized):
        kind = char_class(ch)
        if kind != current:
            if current is not None:
                result.append(Run(current, normalized[start:i], start))
            current, start = kind, i
    if current is not None:
        result.append(Run(current, normalized[start:], start))
    return result


def _run_tokens(run: Run) -> set[str]:
    text = run.text
    if run.kind == CJK:
        grams = {text[i : i + 2] for i in range(len(text) - 1)}
        grams.add(text[-1])
        return grams
    if run.kind == LATIN:
        if len(text) == 1:
            return {text}
        return {text[:k] for k in range(2, min(len(text), LATIN_PREFIX_MAX) + 1)}
    return {text[:MAX_TOKEN_CHARS]}


def index_tokens(text: str) -> set[str]:
    """The set of tokens stored for a message body."""
    tokens: set[str] = set()
    for run in runs(normalize(text).text):
        tokens |= _run_tokens(run)
    return tokens


@dataclass(frozen=True)
class Term:
    """One whitespace-separated word of a query, normalized, with what the index must hold."""

    text: str
    exact: frozenset[str]  # tokens that must all be present
    prefixes: frozenset[str]  # token prefixes of which one must be present (1-char CJK/Latin)


def query_terms(query: str) -> list[Term]:
    """Split a query into terms; a term without any searchable character is dropped."""
    terms: list[Term] = []
    seen: set[str] = set()
    for word in query.split():
        text = normalize(word).text
        word_runs = runs(text)
        if not word_runs:
            continue
        # Keep only the searchable part of the word (trim leading/trailing punctuation).
        text = text[word_runs[0].start : word_runs[-1].start + len(word_runs[-1].text)]
        if text in seen:
            continue
        seen.add(text)
        exact: set[str] = set()
        prefixes: set[str] = set()
        for run in word_runs:
            if run.kind == CJK:
                if len(run.text) == 1:
                    prefixes.add(run.text)
                else:
                    exact |= {run.text[i : i + 2] for i in range(len(run.text) - 1)}
            elif run.kind == LATIN:
                if len(run.text) == 1:
                    prefixes.add(run.text)
                else:
                    exact.add(run.text[:LATIN_PREFIX_MAX])
            else:
                exact.add(run.text[:MAX_TOKEN_CHARS])
        terms.append(Term(text, frozenset(exact), frozenset(prefixes)))
    return terms


def _boundary_ok(body: str, start: int, end: int) -> bool:
    """A Latin term must start a word; a number must be a whole number."""
    first, last = body[start], body[end - 1]
    before = body[start - 1] if start > 0 else ""
    after = body[end] if end < len(body) else ""
    first_kind = char_class(first)
    if first_kind == LATIN and before and char_class(before) == LATIN:
        return False
    if first_kind == DIGIT and before and char_class(before) == DIGIT:
        return False
    return not (char_class(last) == DIGIT and after and char_class(after) == DIGIT)


def find_spans(body: str, term: str) -> list[tuple[int, int]]:
    """Occurrences of ``term`` in the normalized ``body`` that count as a match."""
    spans = []
    start = body.find(term)
    while start != -1:
        end = start + len(term)
        if _boundary_ok(body, start, end):
            spans.append((start, end))
        start = body.find(term, start + 1)
    return spans
