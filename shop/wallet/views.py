"""The buyer's saved cards (/me/cards/) and paying an unpaid order with one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shop.orders.access import access_order_buyer
from shop.orders.exceptions import ShopError
from shop.wallet import services
from shop.wallet.checkout import pay_with_saved_card
from shop.wallet.forms import SaveCardForm


@login_required
@require_http_methods(["GET", "POST"])
def card_list(request: HttpRequest) -> HttpResponse:
    form = SaveCardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_save(
                user=request.user,
                card_number=form.cleaned_data["card_number"],
                label=form.cleaned_data["label"],
                make_default=form.cleaned_data["make_default"],
            )
        except ShopError as error:
            form.add_error("card_number", error.message)
        else:
            messages.success(request, _("%(card)s is saved.") % {"card": card.display})
            nxt = request.POST.get("next") or ""
            if nxt.startswith("/") and not nxt.startswith("//"):
                return redirect(nxt)
            return redirect("wallet:card_list")
    return render(
        request,
        "wallet/cards.html",
        {
            "cards": services.cards_of(request.user),
            "form": form,
            "next": request.GET.get("next", ""),
        },
    )


@login_required
@require_POST
def card_action(request: HttpRequest, card_id: int, action: str) -> HttpResponse:
    try:
        if action == "rename":
            card = services.card_rename(
                user=request.user, card_id=card_id, label=request.POST.get("label", "")
            )
            messages.success(request, _("Saved as %(card)s.") % {"card": card.display})
        elif action == "default":
            card = services.card_set_default(user=request.user, card_id=card_id)
            messages.success(request, _("%(card)s is your default card.") % {"card": card.display})
        elif action == "delete":
            services.card_delete(user=request.user, card_id=card_id)
            messages.success(request, _("The card was deleted."))
        else:
            messages.error(request, _("Unknown action."))
    except ShopError as error:
        messages.error(request, error.message)
    return redirect("wallet:card_list")


@login_required
@require_POST
def order_pay_saved(request: HttpRequest, number: str) -> HttpResponse:
    """ "Pay with saved card" on the pay page of an unpaid card order."""
    order = access_order_buyer(request.user, number)
    try:
        card = services.card_of(request.user, request.POST.get("card"))
    except ShopError as error:
        messages.error(request, error.message)
        return redirect("orders:order_pay", order.number)
    return pay_with_saved_card(request, order, card)
