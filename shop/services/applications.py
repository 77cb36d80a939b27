"""Store applications: submit, approve, reject, suspend, reinstate."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shop.exceptions import BadTransition, ShopError
from shop.models import Store, StoreApplication, StoreStaff
from shop.validators import business_number_digits

APPLICATION_FIELDS = (
    "store_name",
    "category",
    "description",
    "business_number",
    "representative_name",
    "phone",
    "email",
    "business_address",
    "mail_order_number",
    "bank_name",
    "bank_account_number",
    "bank_account_holder",
)

Status = StoreApplication.Status


def _notify_applicant(application: StoreApplication) -> None:
    """Mark the change unseen (shown on the next page) and ring the applicant's inbox."""
    from chat.groups import inbox_group
    from chat.services.messages import send_after_commit

    frame = {
        "type": "store_application",
        "application": application.pk,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "reason": application.reason,
        "url": reverse("shop:application_detail", args=[application.pk]),
    }
    send_after_commit(
        inbox_group(application.applicant_id), {"type": "inbox.event", "frame": frame}
    )


def _locked(application: StoreApplication) -> StoreApplication:
    return StoreApplication.objects.select_for_update().get(pk=application.pk)


def _decide(application: StoreApplication, status: str, *, actor, reason: str = "") -> None:
    application.status = status
    application.reason = reason
    application.decided_by = actor if actor is not None and actor.is_authenticated else None
    application.decided_at = timezone.now()
    application.notice_unseen = True
    application.save(
        update_fields=[
            "status",
            "reason",
            "decided_by",
            "decided_at",
            "notice_unseen",
            "store",
            "updated_at",
        ]
    )
    _notify_applicant(application)


def _clean_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ShopError(_("Give a reason: the applicant will read it."), field="reason")
    return text[:1000]


def unique_store_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True)[:50] or "store"
    slug, n = base, 1
    while Store.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def application_submit(*, applicant, data: dict) -> StoreApplication:
    """File an application (one waiting application per person)."""
    if StoreApplication.objects.filter(applicant=applicant, status=Status.PENDING).exists():
        raise ShopError(_("You already have an application waiting for review."))
    fields = {name: data[name] for name in APPLICATION_FIELDS}
    fields["business_number"] = business_number_digits(fields["business_number"])
    application = StoreApplication(applicant=applicant, **fields)
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_approve(*, application: StoreApplication, actor=None) -> Store:
    """Create the store, make the applicant its owner and open the store's channel."""
    from chat.services.channels import channel_ensure_for_store

    application = _locked(application)
    if application.status != Status.PENDING:
        raise BadTransition(
            _("Only a waiting application can be approved (this one is %(status)s).")
            % {"status": application.get_status_display()}
        )
    store = Store.objects.create(
        owner=application.applicant,
        name=application.store_name,
        slug=unique_store_slug(application.store_name),
        category=application.category,
        description=application.description,
        business_number=application.business_number,
        representative_name=application.representative_name,
        business_address=application.business_address,
        mail_order_number=application.mail_order_number,
        contact_phone=application.phone,
        contact_email=application.email,
        bank_name=application.bank_name,
        bank_account_number=application.bank_account_number,
        bank_account_holder=application.bank_account_holder,
    )
    StoreStaff.objects.create(store=store, user=application.applicant, role=StoreStaff.Role.OWNER)
    grant_seller_admin(application.applicant)
    channel_ensure_for_store(store=store)
    application.store = store
    _decide(application, Status.APPROVED, actor=actor)
    return store


@transaction.atomic
def application_reject(
    *, application: StoreApplication, reason: str, actor=None
) -> StoreApplication:
    reason = _clean_reason(reason)
    application = _locked(application)
    if application.status != Status.PENDING:
        raise BadTransition(
            _("Only a waiting application can be rejected (this one is %(status)s).")
            % {"status": application.get_status_display()}
        )
    _decide(application, Status.REJECTED, actor=actor, reason=reason)
    return application


@transaction.atomic
def application_suspend(
    *, application: StoreApplication, reason: str, actor=None
) -> StoreApplication:
    """Suspend an approved store: it disappears from the catalogue until reinstated."""
    reason = _clean_reason(reason)
    application = _locked(application)
    if application.status != Status.APPROVED or application.store_id is None:
        raise BadTransition(
            _("Only an approved store can be suspended (this application is %(status)s).")
            % {"status": application.get_status_display()}
        )
    Store.objects.filter(pk=application.store_id).update(status=Store.Status.SUSPENDED)
    _decide(application, Status.SUSPENDED, actor=actor, reason=reason)
    return application


@transaction.atomic
def application_reinstate(*, application: StoreApplication, actor=None) -> StoreApplication:
    application = _locked(application)
    if application.status != Status.SUSPENDED or application.store_id is None:
        raise BadTransition(
            _("Only a suspended store can be reinstated (this application is %(status)s).")
            % {"status": application.get_status_display()}
        )
    Store.objects.filter(pk=application.store_id).update(status=Store.Status.ACTIVE)
    _decide(application, Status.APPROVED, actor=actor)
    return application


def application_mark_seen(*, applicant) -> list[StoreApplication]:
    """The applications whose change the applicant has not seen yet, now marked seen."""
    unseen = list(StoreApplication.objects.filter(applicant=applicant, notice_unseen=True))
    if unseen:
        StoreApplication.objects.filter(pk__in=[a.pk for a in unseen]).update(notice_unseen=False)
    return unseen


def grant_seller_admin(user) -> None:
    """Sellers use the Django admin too (scoped to their stores): they need is_staff."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def revoke_seller_admin(user) -> None:
    """Undo ``grant_seller_admin`` once the user runs no store (never for real staff)."""
    if (
        user.is_staff
        and not user.is_superuser
        and not StoreStaff.objects.filter(user=user).exists()
        and not user.groups.exists()
        and not user.user_permissions.exists()
    ):
        user.is_staff = False
        user.save(update_fields=["is_staff"])
