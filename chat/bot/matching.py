"""Matching a buyer's message to an FAQ entry or an intent, in Korean and English.

No model and no network: the text is normalized with chat.search's tokenizer rules (NFKC,
casefold, scripts split into runs) and compared with each keyword:

- A **Korean** keyword matches when it occurs in the message with all spaces removed on both
  sides: particles and endings follow the word (배송비**는**, 배송 비용**은**), and spacing
  varies (배송 비용 / 배송비용), so "배송비 얼마예요" and "배송 비용은?" both contain a
  shipping-fee keyword.
- An **English** keyword matches when each of its words starts a word of the message, in any
  order (``shipping fee`` matches "what are your shipping fees?").

An entry scores the summed length of its matched keywords; the best entry answers only when
it is **clearly** best (no tie) and the message reads as a question (a question mark, a
question word or ending, or a short message of at most three words that does not end as a
statement, such as 할게요 or 했어요). Anything else: no answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from chat.search.tokens import CJK, LATIN, normalize, runs

QUESTION_WORDS_KO = (
    "얼마",
    "언제",
    "어떻게",
    "어디",
    "며칠",
    "몇",
    "뭐",
    "무엇",
    "무슨",
    "왜",
    "가능",
    "되나",
    "돼요",
    "되요",
    "있나",
    "있어요",
    "없나",
    "알려",
    "궁금",
    "문의",
    "인가요",
    "나요",
    "까요",
    "가요",
    "건가",
    "는지",
    "은지",
    "해요",
    "하나요",
    "주세요",
    "줘",
)
# A short message ending like this says what the buyer will do or did ("두 개 예약할게요",
# "입금했어요", "알겠습니다"): a statement, not a question, however short.
STATEMENT_ENDINGS_KO = (
    "게요",
    "께요",
    "겠습니다",
    "겠어요",
    "습니다",
    "했어요",
    "었어요",
    "았어요",
    "할래요",
)
QUESTION_WORDS_EN = frozenset(
    (
        "how",
        "what",
        "when",
        "where",
        "which",
        "why",
        "who",
        "can",
        "could",
        "do",
        "does",
        "is",
        "are",
        "will",
        "would",
        "any",
        "anything",
        "tell",
        "info",
        "information",
    )
)


@dataclass(frozen=True)
class Prepared:
    """A message ready for matching."""

    compact: str  # normalized, spaces removed (Korean matching)
    words: tuple[str, ...]  # normalized Latin words (English matching)
    question: bool  # reads as a question: ``asks``, or a short message
    asks: bool  # a question mark, a question word or ending
    latin: bool  # written in Latin letters only (answer in English)


def prepare(text: str) -> Prepared:
    normalized = normalize(text).text
    parts = runs(normalized)
    words = tuple(r.text for r in parts if r.kind == LATIN)
    has_cjk = any(r.kind == CJK for r in parts)
    compact = re.sub(r"\s+", "", normalized)
    asks = (
        "?" in normalized
        or "？" in normalized
        or any(w in compact for w in QUESTION_WORDS_KO)
        or any(w in QUESTION_WORDS_EN for w in words)
    )
    ending = re.sub(r"[\W_\u1100-\u11ff\u3131-\u318e]+$", "", compact)  # "~", "!!", "ㅎㅎ"
    states = ending.endswith(STATEMENT_ENDINGS_KO)
    question = asks or (len(normalized.split()) <= 3 and not states)
    return Prepared(compact, words, question, asks, bool(words) and not has_cjk)


@lru_cache(maxsize=4096)
def _keyword(keyword: str) -> tuple[str, str | tuple[str, ...]]:
    """("ko", needle without spaces) or ("en", words) or ("", "") for an unusable keyword."""
    normalized = normalize(keyword).text
    parts = runs(normalized)
    if any(r.kind == CJK for r in parts):
        needle = re.sub(r"\s+", "", normalized)
        return ("ko", needle) if len(needle) >= 2 else ("", "")
    words = tuple(r.text for r in parts if r.kind == LATIN)
    if not words or not any(len(w) >= 3 for w in words):
        return ("", "")
    return ("en", words)


def keyword_score(keyword: str, message: Prepared) -> int:
    """How strongly ``keyword`` matches (0: not at all)."""
    kind, value = _keyword(keyword)
    if kind == "ko":
        return len(value) if value in message.compact else 0
    if kind == "en":
        for word in value:
            if not any(candidate.startswith(word) for candidate in message.words):
                return 0
        return sum(len(w) for w in value)
    return 0


def score(keywords: Iterable[str], message: Prepared) -> int:
    return sum(keyword_score(k, message) for k in keywords)


def best_match(candidates: Iterable[tuple[object, Iterable[str]]], message: Prepared):
    """The one candidate that clearly matches ``message`` (highest score, no tie, and the
    message reads as a question), or None."""
    if not message.question:
        return None
    scored = sorted(
        ((score(keywords, message), i, item) for i, (item, keywords) in enumerate(candidates)),
        key=lambda t: (-t[0], t[1]),
    )
    if not scored or scored[0][0] == 0:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][2]


# --- intents ---------------------------------------------------------------------------

ORDER_KEYWORDS = (
    "배송조회",
    "배송 조회",
    "택배조회",
    "택배 조회",
    "주문확인",
    "주문 확인",
    "주문조회",
    "주문 조회",
    "주문내역",
    "주문 내역",
    "배송현황",
    "배송 현황",
    "배송상태",
    "배송 상태",
    "운송장",
    "송장번호",
    "내 주문",
    "제 주문",
    "주문한거",
    "주문한 거",
    "어디쯤",
    "where my order",
    "order status",
    "track order",
    "track my order",
    "tracking",
    "my order",
    "my orders",
)


def is_order_question(message: Prepared) -> bool:
    return score(ORDER_KEYWORDS, message) > 0
