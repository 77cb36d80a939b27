"""The built-in test card gateway: no network, approve/decline by card number, one charge
per idempotency key, and HMAC-SHA256 signed notifications (webhooks) with replay protection.

Test cards: 4242 4242 4242 4242 and 5555 5555 5555 4444 approve; 4000 0000 0000 0002 is
declined, 4000 0000 0000 9995 is declined for insufficient funds. Any other number that
passes the Luhn check approves; one that fails it is refused as mistyped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shop.orders.exceptions import PaymentError, WebhookRejected
from shop.orders.payments.base import (
    BillingToken,
    ChargeResult,
    PaymentProvider,
    RefundResult,
    WebhookEvent,
)

DECLINED = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
}
SIGNATURE_HEADER = "X-Talkmall-Signature"
TIMESTAMP_HEADER = "X-Talkmall-Timestamp"
NONCE_HEADER = "X-Talkmall-Nonce"
MAX_SKEW_SECONDS = 300


def webhook_secret() -> bytes:
    """``PAYMENT_WEBHOOK_SECRET`` from settings or the environment; else derived from
    SECRET_KEY (fine for the built-in gateway, which runs in the same process)."""
    secret = getattr(settings, "PAYMENT_WEBHOOK_SECRET", "") or os.environ.get(
        "PAYMENT_WEBHOOK_SECRET", ""
    )
    if secret:
        return secret.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"talkmall-test-card-webhook", "sha256").digest()


def sign(body: bytes, timestamp: str, nonce: str, secret: bytes | None = None) -> str:
    message = timestamp.encode() + b"." + nonce.encode() + b"." + body
    return hmac.new(secret or webhook_secret(), message, hashlib.sha256).hexdigest()


def signed_notification(payload: dict, *, timestamp: int | None = None, nonce: str | None = None):
    """(body, headers) exactly as the gateway sends them to the webhook endpoint."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    headers = {
        TIMESTAMP_HEADER: ts,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign(body, ts, nonce),
    }
    return body, headers


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalise_card(raw: str) -> str:
    number = "".join(ch for ch in (raw or "") if not ch.isspace() and ch != "-")
    if not number.isdigit() or not 13 <= len(number) <= 19 or not luhn_ok(number):
        raise PaymentError(_("Check the card number: it is not a valid card number."))
    return number


class TestCardGateway(PaymentProvider):
    __test__ = False

    code = "test_card"
    interactive = True

    def create_billing_token(self, *, card_number: str) -> BillingToken:
        """Billing-token API: the gateway keeps the card (here: only what a charge on it will
        do) and returns a token and the last 4 digits. A declined test card is refused."""
        from shop.wallet.models import GatewayToken

        number = normalise_card(card_number)
        if DECLINED.get(number) == "card_declined":
            raise PaymentError(_("The card was declined."))
        entry = GatewayToken.objects.create(
            token=f"tok_{secrets.token_hex(16)}",
            last4=number[-4:],
            decline_reason=DECLINED.get(number, ""),
        )
        return BillingToken(token=entry.token, last4=entry.last4)

    def revoke_billing_token(self, *, token: str) -> None:
        from django.utils import timezone

        from shop.wallet.models import GatewayToken

        GatewayToken.objects.filter(token=token, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )

    def _card_outcome(self, data: Mapping[str, str]) -> tuple[str, str]:
        """(last 4 digits, decline reason) of a card number or of a billing token."""
        from shop.wallet.models import GatewayToken

        token = data.get("billing_token")
        if token:
            entry = GatewayToken.objects.filter(token=token, revoked_at__isnull=True).first()
            if entry is None:
                raise PaymentError(_("This saved card is no longer valid: add it again."))
            return entry.last4, entry.decline_reason
        number = normalise_card(data.get("card_number", ""))
        return number[-4:], DECLINED.get(number, "")

    def charge(self, *, payment, data: Mapping[str, str]) -> ChargeResult:
        from shop.orders.models import TestCardCharge

        last4, decline = self._card_outcome(data)
        existing = TestCardCharge.objects.filter(idempotency_key=payment.idempotency_key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = TestCardCharge.objects.create(
                        idempotency_key=payment.idempotency_key,
                        amount=payment.amount,
                        card_last4=last4,
                        approved=not decline,
                        decline_reason=decline,
                        reference=f"tc_{secrets.token_hex(10)}",
                    )
            except IntegrityError:  # the same key charged at the same moment: one charge
                existing = TestCardCharge.objects.get(idempotency_key=payment.idempotency_key)
        return ChargeResult(
            approved=existing.approved,
            reference=existing.reference,
            card_last4=existing.card_last4,
            reason=existing.decline_reason,
        )

    def refund(self, *, payment, amount: int) -> RefundResult:
        from shop.orders.models import TestCardCharge

        charge = (
            TestCardCharge.objects.select_for_update()
            .filter(reference=payment.reference, approved=True)
            .first()
        )
        if charge is None:
            raise PaymentError(_("The gateway has no charge to refund for this order."))
        if charge.refunded_amount + amount > charge.amount:
            raise PaymentError(_("The refund is larger than what was charged."))
        charge.refunded_amount += amount
        charge.save(update_fields=["refunded_amount"])
        return RefundResult(reference=f"tcr_{secrets.token_hex(10)}")

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        ts = headers.get(TIMESTAMP_HEADER, "")
        nonce = headers.get(NONCE_HEADER, "")
        signature = headers.get(SIGNATURE_HEADER, "")
        if not (ts and nonce and signature) or len(nonce) > 64:
            raise WebhookRejected(_("The notification is not signed."))
        if not hmac.compare_digest(sign(body, ts, nonce), signature):
            raise WebhookRejected(_("The notification signature does not match."))
        try:
            age = abs(time.time() - int(ts))
        except ValueError:
            raise WebhookRejected(_("The notification timestamp is not a number.")) from None
        if age > MAX_SKEW_SECONDS:
            raise WebhookRejected(_("The notification is too old."))
        try:
            payload = json.loads(body)
            return WebhookEvent(
                kind=str(payload["type"]),
                idempotency_key=str(payload["idempotency_key"]),
                amount=int(payload["amount"]),
                reference=str(payload["reference"]),
                nonce=nonce,
            )
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected(_("The notification body is not understood.")) from None
