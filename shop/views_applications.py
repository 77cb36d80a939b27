"""Opening a store: the application form (with a review step) and its status page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shop.exceptions import ShopError
from shop.forms import StoreApplicationForm
from shop.models import StoreApplication
from shop.services.applications import application_mark_seen, application_submit


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    """Step 1 fills the form; step 2 shows it for review; "submit" files it."""
    waiting = StoreApplication.objects.filter(
        applicant=request.user, status=StoreApplication.Status.PENDING
    ).first()
    if waiting is not None:
        messages.info(request, _("Your application is waiting for review."))
        return redirect("shop:application_detail", waiting.pk)
    if request.method != "POST":
        initial = {"email": request.user.email, "phone": getattr(request.user, "phone", "")}
        return render(
            request, "shop/application_form.html", {"form": StoreApplicationForm(initial=initial)}
        )
    form = StoreApplicationForm(request.POST)
    step = request.POST.get("step", "review")
    if not form.is_valid() or step == "edit":
        return render(request, "shop/application_form.html", {"form": form})
    if step != "submit":
        return render(request, "shop/application_review.html", {"form": form})
    try:
        application = application_submit(applicant=request.user, data=form.cleaned_data)
    except ShopError as error:
        form.add_error(error.field, error.message)
        return render(request, "shop/application_form.html", {"form": form})
    messages.success(request, _("Thank you! Staff will review your application."))
    return redirect("shop:application_detail", application.pk)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(StoreApplication, pk=pk, applicant=request.user)
    if application.notice_unseen:
        application_mark_seen(applicant=request.user)
    return render(request, "shop/application_detail.html", {"application": application})
