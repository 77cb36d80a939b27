"""무통장입금: the buyer transfers the total to the store's account before a deadline; the
seller or staff confirms the deposit. A refund is a transfer back, made by the store."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from shop.orders.exceptions import PaymentError
from shop.orders.payments.base import PaymentProvider, RefundResult

PAY_WITHIN = timedelta(days=3)


class BankTransfer(PaymentProvider):
    code = "bank_transfer"
    interactive = False

    @staticmethod
    def available_for(store) -> bool:
        return bool(store.bank_name and store.bank_account_number and store.bank_account_holder)

    def prepare(self, *, order) -> None:
        store = order.store
        if not self.available_for(store):
            raise PaymentError(_("This store does not take bank transfers yet."))
        order.bank_name = store.bank_name
        order.bank_account_number = store.bank_account_number
        order.bank_account_holder = store.bank_account_holder
        order.pay_deadline = timezone.now() + PAY_WITHIN

    def refund(self, *, payment, amount: int) -> RefundResult:
        return RefundResult(
            reference=f"bt_refund_{secrets.token_hex(6)}",
            note=_("The store transfers %(amount)s won back to the buyer.")
            % {"amount": f"{amount:,}"},
        )
