"""Admin: join requests with their answers (read-only; sellers see their stores' only) and
satisfaction ratings, with each store's average on the ratings list for staff."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from chat.admin import StoreScopedAdmin
from chat.feedback.models import CsatSurvey, JoinAnswer, JoinQuestion, JoinRequest
from chat.models import Membership
from chat.services import memberships as membership_services


class JoinAnswerInline(admin.TabularInline):
    model = JoinAnswer
    fields = ("label", "value")
    readonly_fields = ("label", "value")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(StoreScopedAdmin):
    list_display = ("user", "store", "status", "answers_text", "created_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("user__username", "store__name")
    list_select_related = ("user", "store", "decided_by")
    readonly_fields = (
        "user",
        "store",
        "channel",
        "status",
        "message",
        "decided_by",
        "decided_at",
        "created_at",
    )
    inlines = [JoinAnswerInline]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("answers")

    @admin.display(description=_("answer"))
    def answers_text(self, obj: JoinRequest) -> str:
        return " · ".join(f"{a.label}: {a.value}" for a in obj.answers.all())

    def _membership(self, obj: JoinRequest) -> Membership:
        return Membership.objects.select_related("channel", "user").get(
            channel_id=obj.channel_id, user_id=obj.user_id
        )

    @admin.action(description=_("Approve join requests"))
    def approve(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda r: membership_services.membership_approve(
                membership=self._membership(r), actor=request.user
            ),
            _("Approved %(n)d request(s)."),
        )

    @admin.action(description=_("Decline join requests"))
    def reject(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda r: membership_services.membership_reject(
                membership=self._membership(r), actor=request.user
            ),
            _("Declined %(n)d request(s)."),
        )


@admin.register(JoinQuestion)
class JoinQuestionAdmin(StoreScopedAdmin):
    list_display = ("store", "__str__", "kind", "required")
    list_select_related = ("store",)

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(store_id__in=self._store_ids(request))


@admin.register(CsatSurvey)
class CsatSurveyAdmin(StoreScopedAdmin):
    list_display = ("store", "buyer", "trigger", "score", "answered_by", "created_at", "rated_at")
    list_filter = ("store", "trigger", "score")
    list_select_related = ("store", "buyer", "answered_by")
    readonly_fields = (
        "store",
        "channel",
        "buyer",
        "trigger",
        "order",
        "message",
        "answered_by",
        "score",
        "comment",
        "created_at",
        "rated_at",
    )
    exclude = ("episode_last_message_id",)
    change_list_template = "chatfeedback/admin_csat_changelist.html"

    def changelist_view(self, request, extra_context=None):
        per_store = (
            self.get_queryset(request)
            .values("store__name", "store__slug")
            .annotate(asked=Count("pk"), rated=Count("score"), avg=Avg("score"))
            .order_by("store__name")
        )
        extra_context = {**(extra_context or {}), "csat_per_store": list(per_store)}
        extra_context["csat_title"] = _("Average per store")
        return super().changelist_view(request, extra_context=extra_context)
