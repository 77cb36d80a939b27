"""FAQ entries: the ones filled from the store's settings, the seller's own, and answers.

Entries with a ``source`` are created on first use for every store (``faq_ensure_auto``);
their answer is written from the store's current settings each time it is shown or sent, so a
changed shipping fee or return address is answered correctly at once.
"""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.bot import hours
from chat.bot.matching import best_match, prepare, score
from chat.bot.models import FaqEntry, StoreBot
from shop.exceptions import ShopError
from shop.models import Store

Source = FaqEntry.Source

AUTO_KEYWORDS = {
    Source.SHIPPING_FEE: (
        "배송비, 배송 비용, 배송료, 택배비, 택배 비용, 택배비용, shipping fee, shipping cost, "
        "delivery fee, delivery cost, delivery charge, much shipping, postage"
    ),
    Source.FREE_SHIPPING: "무료배송, 무료 배송, 무배, 배송비 무료, free shipping, free delivery",
    Source.DISPATCH: (
        "언제 도착, 언제 와, 언제 오, 언제 받, 배송 기간, 배송기간, 며칠 걸, 발송 언제, 언제 발송, "
        "출고, 도착 예정, how long delivery, when arrive, when ship, delivery time, "
        "how long ship, dispatch"
    ),
    Source.RETURNS: ("반품, 교환, 환불, 반송, return, exchange, refund"),
    Source.HOURS: (
        "영업시간, 영업 시간, 운영시간, 운영 시간, 상담 시간, 상담시간, 몇 시, 문 열, 문 닫, "
        "business hours, opening hours, open hours, when open, what time open"
    ),
}
AUTO_QUESTIONS = {
    Source.SHIPPING_FEE: gettext_lazy("How much is shipping?"),
    Source.FREE_SHIPPING: gettext_lazy("Is there free shipping?"),
    Source.DISPATCH: gettext_lazy("When will my order arrive?"),
    Source.RETURNS: gettext_lazy("How do returns and exchanges work?"),
    Source.HOURS: gettext_lazy("What are your business hours?"),
}
AUTO_ORDER = list(AUTO_KEYWORDS)


def store_bot(store: Store) -> StoreBot:
    """The store's bot settings (an unsaved default row when the seller never saved any)."""
    return StoreBot.objects.filter(store=store).first() or StoreBot(store=store)


_ENSURED: set[tuple] = set()  # stores whose settings-filled entries exist (per process)


def faq_ensure_auto(store: Store) -> None:
    """Create the settings-filled entries the store does not have yet (idempotent; checked
    once per store and process: they can be turned off, never deleted)."""
    key = (store.pk, store.created_at)  # a reused id (a test database) is another store
    if key in _ENSURED:
        return
    have = set(
        FaqEntry.objects.filter(store=store, source__isnull=False).values_list("source", flat=True)
    )
    for position, source in enumerate(AUTO_ORDER):
        if source in have:
            continue
        try:
            with transaction.atomic():
                FaqEntry.objects.create(
                    store=store, source=source, keywords=AUTO_KEYWORDS[source], position=position
                )
        except IntegrityError:  # created meanwhile by another request
            pass
    transaction.on_commit(lambda: _ENSURED.add(key))


def won(amount: int) -> str:
    """ "3,000 won" / "3,000원"."""
    return _("%(amount)s won") % {"amount": f"{amount:,}"}


def auto_answer(entry: FaqEntry, store: Store) -> str:
    """The answer of a settings-filled entry from the store's settings now ("" if the store
    has nothing to say on it, e.g. no hours set)."""
    fee, threshold = store.shipping_fee, store.free_shipping_threshold
    if entry.source == Source.SHIPPING_FEE:
        text = _("Shipping is %(fee)s per order (Jeju and islands: %(island)s more).") % {
            "fee": won(fee),
            "island": won(store.island_extra_fee),
        }
        if threshold:
            text += " " + _("Orders of %(threshold)s or more ship free.") % {
                "threshold": won(threshold)
            }
        return text
    if entry.source == Source.FREE_SHIPPING:
        if threshold:
            return _(
                "Orders of %(threshold)s or more ship free; below that shipping is %(fee)s."
            ) % {
                "threshold": won(threshold),
                "fee": won(fee),
            }
        return _("Shipping is %(fee)s on every order: there is no free-shipping amount.") % {
            "fee": won(fee)
        }
    if entry.source == Source.DISPATCH:
        return _(
            "We dispatch within %(days)d business days of payment with %(courier)s; delivery "
            "usually takes one or two more days. Ask “where is my order” here in the 1:1 chat "
            "to see yours."
        ) % {"days": store.dispatch_days, "courier": store.get_courier_display()}
    if entry.source == Source.RETURNS:
        parts = []
        if store.return_policy.strip():
            parts.append(store.return_policy.strip())
        if store.return_address.strip():
            parts.append(_("Return address: %(address)s.") % {"address": store.return_address})
        parts.append(
            _("Return shipping: %(fee)s one way.") % {"fee": won(store.return_shipping_fee)}
        )
        return " ".join(parts)
    if entry.source == Source.HOURS:
        text = hours.hours_text(store_bot(store), store.business_hours.strip())
        return _("Our hours: %(hours)s.") % {"hours": text} if text else ""
    return ""


def entry_question(entry: FaqEntry) -> str:
    if entry.source:
        return str(AUTO_QUESTIONS[entry.source])
    return entry.question


def entry_answer(entry: FaqEntry, store: Store) -> str:
    return auto_answer(entry, store) if entry.source else entry.answer.strip()


def faq_entries(store: Store, *, enabled_only: bool = True) -> list[FaqEntry]:
    faq_ensure_auto(store)
    qs = FaqEntry.objects.filter(store=store)
    if enabled_only:
        qs = qs.filter(enabled=True)
    return list(qs)


# Per process: each store's enabled FAQ keyword lists, for ``faq_may_match``. Edits in this
# process clear it at once (chat.bot.receivers); another process's edits show after KEYWORDS_TTL.
KEYWORDS_TTL = 10.0
_keywords: dict[int, tuple[float, tuple[tuple[str, ...], ...]]] = {}


def faq_keywords_forget() -> None:
    _keywords.clear()


def faq_may_match(store_id: int, message) -> bool:
    """Could any enabled FAQ entry of the store match ``message`` (a matching.Prepared)? A
    cheap first look from a per-process copy of the keywords (no query while it is fresh):
    False means ``faq_match`` would find nothing; True means ask it (it reads the database)."""
    if not message.question:
        return False
    now = time.monotonic()
    cached = _keywords.get(store_id)
    if cached is None or now - cached[0] > KEYWORDS_TTL:
        store = Store.objects.get(pk=store_id)
        cached = _keywords[store_id] = (
            now,
            tuple(tuple(e.keyword_list) for e in faq_entries(store)),
        )
    return any(score(keywords, message) for keywords in cached[1])


def faq_match(store: Store, message) -> tuple[FaqEntry | None, str]:
    """The entry that clearly answers ``message`` (a matching.Prepared, or text) and its
    answer now; (None, "") when nothing clearly matches. Only entries whose keywords match
    are asked for their answer (an entry with nothing to say, e.g. hours not set, is out)."""
    if isinstance(message, str):
        message = prepare(message)
    if not message.question:
        return None, ""
    hits = [e for e in faq_entries(store) if score(e.keyword_list, message)]
    answers = {e.pk: entry_answer(e, store) for e in hits}
    entry = best_match([(e, e.keyword_list) for e in hits if answers[e.pk]], message)
    return entry, (answers[entry.pk] if entry is not None else "")


def faq_topics(store: Store) -> list[str]:
    """The questions the bot can answer now (for the quiet-hours note)."""
    return [entry_question(e) for e in faq_entries(store) if entry_answer(e, store)]


def _clean(question: str, answer: str, keywords: str, *, auto: bool) -> tuple[str, str, str]:
    question, answer = (question or "").strip(), (answer or "").strip()
    words = [k.strip() for k in (keywords or "").split(",") if k.strip()]
    if not words:
        raise ShopError(_("Give at least one keyword."), field="keywords")
    if any(len(w) > 60 for w in words):
        raise ShopError(_("A keyword is at most 60 characters."), field="keywords")
    if not auto:
        if not question:
            raise ShopError(_("Write the question."), field="question")
        if not answer:
            raise ShopError(_("Write the answer."), field="answer")
    return question[:200], answer[:1000], ", ".join(words)[:500]


def faq_save(
    *,
    store: Store,
    entry: FaqEntry | None = None,
    question: str = "",
    answer: str = "",
    keywords: str,
    enabled: bool = True,
) -> FaqEntry:
    """Create or change an entry. A settings-filled entry keeps its live answer: only its
    keywords and on/off change."""
    auto = entry is not None and entry.source is not None
    question, answer, keywords = _clean(question, answer, keywords, auto=auto)
    if entry is None:
        entry = FaqEntry(store=store)
    if entry.store_id != store.pk:
        raise ShopError(_("That entry belongs to another store."))
    if not auto:
        entry.question, entry.answer = question, answer
    entry.keywords, entry.enabled = keywords, enabled
    entry.save()
    return entry


def faq_delete(*, store: Store, entry: FaqEntry) -> None:
    if entry.store_id != store.pk:
        raise ShopError(_("That entry belongs to another store."))
    if entry.source:
        raise ShopError(_("Entries filled from your settings can be turned off, not deleted."))
    entry.delete()


def answer_language(latin: bool):
    """Answer an English question in English, anything else in Korean."""
    return translation.override("en" if latin else "ko")
