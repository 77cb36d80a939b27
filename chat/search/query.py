"""Reading the index: ``search(user, q, channel=…, limit=…, cursor=…)``.

1. Scope: the channels ``user`` may read (``chat.access.readable_channels``), or one channel
   after ``access_channel_read`` (its errors propagate: 404 / 403 for the caller to map).
2. Candidates: messages holding every exact token of every query term (plus, for a
   one-character term, some token starting with it), newest first, walked from the rarest
   token's postings with primary-key probes for the others.
3. Verification on the message row: not deleted, and every term really occurs (substring for
   Korean, word start for Latin, whole number for digits). So results equal what a
   ``LIKE``-scan with those rules returns, on every database.
4. Ranking: tier 0 = the whole query occurs as typed (for a one-word query: every hit);
   tier 1 = all words occur, apart. Newest first inside a tier. The cursor is
   ``<tier>.<last message id>``: keyset paging, never OFFSET.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chat.access import access_channel_read, readable_channels
from chat.exceptions import ChatError
from chat.models import Channel, Message
from chat.search.index import TABLE
from chat.search.tokens import TOP, Term, find_spans, normalize, query_terms

MAX_LIMIT = 100
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
SNIPPET_CHARS = 160
RARITY_CAP = 5000
# What a hit needs: the message (for the wire shape and the page), its author's name, and the
# channel's title.
HIT_FIELDS = (
    "id",
    "channel_id",
    "author_id",
    "kind",
    "body",
    "data",
    "client_id",
    "topic",
    "created_at",
    "edited_at",
    "deleted_at",
    "author__id",
    "author__username",
    "author__display_name",
    "channel__id",
    "channel__title",
    "channel__kind",
)


class SearchError(ChatError):
    """The search query cannot be used."""

    code = "bad_request"


@dataclass(frozen=True)
class SearchHit:
    message: Message
    highlighted: SafeString  # escaped snippet with <mark>…</mark> around matches
    exact: bool  # the whole query occurs as typed

    @property
    def url(self) -> str:
        return message_url(self.message)


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: list[SearchHit]
    next_cursor: str | None


def message_url(message: Message) -> str:
    """The talk pane opened at this message with history around it."""
    return f"/talk/{message.channel_id}/?around={message.pk}"


def _parse_cursor(cursor: str | None) -> tuple[int, int | None]:
    if not cursor:
        return 0, None
    match = re.fullmatch(r"([01])\.(\d{1,19})", cursor.strip())
    if not match:
        raise SearchError(_("The page cursor is not valid; start the search again."))
    return int(match.group(1)), int(match.group(2))


def _scope(user, channel) -> list[int]:
    if channel is not None:
        channel_id = channel.pk if isinstance(channel, Channel) else channel
        chan, _membership = access_channel_read(user, channel_id)
        return [chan.pk]
    return list(readable_channels(user).values_list("pk", flat=True))


class _Candidates:
    """Message ids holding all the tokens, in the given channels, newest first."""

    def __init__(self, terms: list[Term], channel_ids: list[int]) -> None:
        exact = sorted({t for term in terms for t in term.exact})
        self.prefixes = sorted({p for term in terms for p in term.prefixes})
        self.channel_ids = channel_ids
        if len(exact) > 1:
            exact.sort(key=self._rarity)
        if exact:
            self.driver, self.others = exact[0], exact[1:]
        else:
            self.driver, self.others = None, []

    @staticmethod
    def _rarity(token: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} WHERE token = %s LIMIT %s) t",  # noqa: S608
                [token, RARITY_CAP],
            )
            return cursor.fetchone()[0]

    def fetch(self, before: int | None, size: int) -> list[int]:
        params: list = []
        where: list[str] = []
        if self.driver is not None:
            where.append("p0.token = %s")
            params.append(self.driver)
            prefixes = self.prefixes
        else:
            first, prefixes = self.prefixes[0], self.prefixes[1:]
            where.append("p0.token >= %s AND p0.token < %s")
            params += [first, first + TOP]
        if before is not None:
            where.append("p0.message_id < %s")
            params.append(before)
        if len(self.channel_ids) == 1:
            where.append("p0.channel_id = %s")
            params.append(self.channel_ids[0])
        else:
            where.append(f"p0.channel_id IN ({', '.join(['%s'] * len(self.channel_ids))})")
            params += self.channel_ids
        for token in self.others:
            where.append(
                f"EXISTS (SELECT 1 FROM {TABLE} p WHERE p.token = %s"  # noqa: S608
                " AND p.message_id = p0.message_id)"
            )
            params.append(token)
        for prefix in prefixes:
            where.append(
                f"EXISTS (SELECT 1 FROM {TABLE} p WHERE p.message_id = p0.message_id"  # noqa: S608
                " AND p.token >= %s AND p.token < %s)"
            )
            params += [prefix, prefix + TOP]
        distinct = "DISTINCT " if self.driver is None else ""
        sql = (
            f"SELECT {distinct}p0.message_id FROM {TABLE} p0 WHERE "  # noqa: S608
            + " AND ".join(where)
            + " ORDER BY p0.message_id DESC LIMIT %s"
        )
        params.append(size)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _match(body: str, terms: list[Term], phrase: str) -> tuple[bool, bool, list[tuple[int, int]]]:
    """(all terms occur, whole phrase occurs, spans in the normalized body)."""
    normalized = normalize(body)
    spans: list[tuple[int, int]] = []
    for term in terms:
        found = find_spans(normalized.text, term.text)
        if not found:
            return False, False, []
        spans.extend(found)
    exact = len(terms) == 1 or phrase in _collapse(normalized.text)
    # Map back to the original text for highlighting.
    src = normalized.source
    return True, exact, [(src[s], src[e - 1] + 1) for s, e in spans]


def highlight(body: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> SafeString:
    """Escape the text, then wrap each match in <mark>; long bodies are cut to a window around
    the first match."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    lo, hi = 0, len(body)
    if len(body) > width:
        first = merged[0][0] if merged else 0
        lo = max(0, first - width // 3)
        hi = min(len(body), lo + width)
        lo = max(0, min(lo, hi - width))
    parts = ["…" if lo > 0 else ""]
    pos = lo
    for start, end in merged:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        parts.append(escape(body[pos:start]))
        parts.append(f"<mark>{escape(body[start:end])}</mark>")
        pos = end
    parts.append(escape(body[pos:hi]))
    parts.append("…" if hi < len(body) else "")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def search(
    user,
    q: str,
    *,
    channel: Channel | int | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """Ranked, paged search over the channels ``user`` may read (or one of them)."""
    q = (q or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise SearchError(_("The search is longer than %(n)d characters.") % {"n": MAX_QUERY_CHARS})
    terms = query_terms(q)
    if not terms:
        raise SearchError(_("Type a word to search for."))
    if len(terms) > MAX_TERMS:
        raise SearchError(_("Search for at most %(n)d words at a time.") % {"n": MAX_TERMS})
    limit = max(1, min(int(limit), MAX_LIMIT))
    tier, before = _parse_cursor(cursor)
    channel_ids = _scope(user, channel)
    if not channel_ids:
        return SearchPage(q, [], None)
    candidates = _Candidates(terms, channel_ids)
    phrase = " ".join(term.text for term in terms)
    found: list[tuple[int, int, bool, list[tuple[int, int]]]] = []  # tier, id, exact, spans
    need = limit + 1
    last_tier = 0 if len(terms) == 1 else 1
    while tier <= last_tier and len(found) < need:
        batch = need + 4
        while len(found) < need:
            ids = candidates.fetch(before, batch)
            if not ids:
                break
            # Verify on the bare rows; whole objects are loaded for the page's hits only.
            bodies = {
                pk: body
                for pk, body in Message.objects.filter(
                    pk__in=ids, deleted_at__isnull=True
                ).values_list("pk", "body")
            }
            for message_id in ids:
                body = bodies.get(message_id)
                if body is None:
                    continue
                ok, exact, spans = _match(body, terms, phrase)
                if not ok or exact != (tier == 0):
                    continue
                found.append((tier, message_id, exact, spans))
                if len(found) == need:
                    break
            before = ids[-1]
            if len(ids) < batch:
                break
            batch = min(batch * 2, 2000)
        if len(found) < need:
            tier, before = tier + 1, None
    more = len(found) > limit
    found = found[:limit]
    rows = (
        Message.objects.select_related("author", "channel")
        .only(*HIT_FIELDS)
        .in_bulk([pk for _t, pk, _e, _s in found])
    )
    hits = [
        (t, SearchHit(rows[pk], highlight(rows[pk].body, spans), exact))
        for t, pk, exact, spans in found
    ]
    next_cursor = None
    if more:
        last_tier_of_page, last_hit = hits[-1]
        next_cursor = f"{last_tier_of_page}.{last_hit.message.pk}"
    return SearchPage(q, [hit for _t, hit in hits], next_cursor)
