"""Pages of the join forms and the satisfaction ratings (thin: gate, form, one service)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chat.exceptions import ChatError
from chat.feedback import csat, joinform
from chat.feedback.forms import BuiltinQuestionsForm, CustomQuestionForm
from chat.feedback.models import CsatSurvey, JoinQuestion
from chat.models import Membership
from chat.services import channels as channel_services
from chat.views_manage import back, error_text
from shop.access import access_store_manage
from shop.models import Store
from shop.views_seller import seller_context

# --- the buyer asks to join ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def store_join(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Request to join" a closed store with its join form (joins an open one at once).
    GET shows the form; a missing required answer re-shows it with the errors, nothing kept."""
    store = get_object_or_404(Store, slug=slug, status=Store.Status.ACTIVE)
    questions = joinform.questions_of(store)
    errors: dict[str, str] = {}
    if request.method == "POST":
        channel = channel_services.channel_ensure_for_store(store=store)
        try:
            membership = joinform.join_request_submit(
                channel=channel, user=request.user, data=request.POST
            )
        except joinform.JoinFormInvalid as error:
            errors = error.errors
            messages.error(request, error_text(error))
        except ChatError as error:
            messages.error(request, error_text(error))
            return redirect("shop:store_detail", slug=store.slug)
        else:
            if membership.state == Membership.State.PENDING:
                messages.success(
                    request, _("Your request to join was sent. The seller will approve it soon.")
                )
            else:
                messages.success(request, _("Welcome! You are a member now."))
            return redirect("shop:store_detail", slug=store.slug)
    elif not questions:
        return redirect("shop:store_detail", slug=store.slug)
    fields = [
        {
            "question": q,
            "name": joinform.field_name(q),
            "value": request.POST.get(joinform.field_name(q), ""),
            "error": errors.get(joinform.field_name(q), ""),
        }
        for q in questions
    ]
    return render(
        request,
        "chatfeedback/join_form.html",
        {"store": store, "fields": fields},
        status=400 if errors else 200,
    )


# --- the owner sets the questions -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def seller_join_form(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    questions = joinform.questions_of(store)
    builtin_form = BuiltinQuestionsForm(questions=questions)
    custom_form = CustomQuestionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "builtins":
                builtin_form = BuiltinQuestionsForm(request.POST, questions=questions)
                if builtin_form.is_valid():
                    joinform.join_form_set_builtins(
                        store=store, actor=request.user, modes=builtin_form.cleaned_data
                    )
                    messages.success(request, _("The join form was saved."))
                    return redirect("chatfeedback:seller_join_form", slug=store.slug)
            elif action == "add":
                custom_form = CustomQuestionForm(request.POST)
                if custom_form.is_valid():
                    joinform.join_question_add(
                        store=store,
                        actor=request.user,
                        label=custom_form.cleaned_data["label"],
                        required=custom_form.cleaned_data["required"],
                    )
                    messages.success(request, _("The question was added."))
                    return redirect("chatfeedback:seller_join_form", slug=store.slug)
            elif action == "delete":
                question = get_object_or_404(
                    JoinQuestion, pk=request.POST.get("question") or 0, store=store
                )
                joinform.join_question_delete(question=question, actor=request.user)
                messages.success(request, _("The question was removed."))
                return redirect("chatfeedback:seller_join_form", slug=store.slug)
            else:
                messages.error(request, _("Unknown action."))
        except ChatError as error:
            messages.error(request, error_text(error))
    return render(
        request,
        "chatfeedback/seller_join_form.html",
        seller_context(
            store,
            role,
            "talk",
            builtin_form=builtin_form,
            custom_form=custom_form,
            custom_questions=[q for q in questions if q.kind == JoinQuestion.Kind.CUSTOM],
            questions=questions,
            preview=[
                {"question": q, "name": joinform.field_name(q), "value": "", "error": ""}
                for q in questions
            ],
        ),
    )


# --- satisfaction ----------------------------------------------------------------------------


@login_required
@require_POST
def csat_rate(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = CsatSurvey.objects.filter(pk=survey_id).only("channel_id", "buyer_id").first()
    default = reverse("chat:channel", args=[survey.channel_id]) if survey else reverse("home")
    try:
        csat.csat_rate(
            survey_id=survey_id,
            user=request.user,
            score=request.POST.get("score"),
            comment=request.POST.get("comment", ""),
        )
    except ChatError as error:
        messages.error(request, error_text(error))
        if survey is None or survey.buyer_id != request.user.pk:
            return redirect("chat:my_talks")
    else:
        messages.success(request, _("Thank you for rating the talk!"))
    return back(request, default)


@login_required
def seller_csat(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    try:
        days = max(7, min(365, int(request.GET.get("days", 90))))
    except ValueError:
        days = 90
    return render(
        request,
        "chatfeedback/seller_csat.html",
        seller_context(store, role, "csat", stats=csat.csat_stats(store, days=days), days=days),
    )
