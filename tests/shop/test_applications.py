from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core.management import CommandError, call_command

from chat.groups import inbox_group
from chat.models import Channel, Membership
from shop.models import Goods, Store, StoreApplication, StoreStaff
from shop.services.applications import application_submit
from shop.validators import business_number_is_valid
from tests.shop.conftest import APPLICATION

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "number", ["220-81-62517", "1248100998", "3052812346", "101-81-23455", "214 86 35795"]
)
def test_business_number_checksum_accepts_valid(number):
    assert business_number_is_valid(number)


@pytest.mark.parametrize(
    "number", ["220-81-62518", "1234567890", "124810099", "12481009981", "abc-de-fghij", ""]
)
def test_business_number_checksum_rejects_invalid(number):
    assert not business_number_is_valid(number)


def test_apply_shows_review_before_submitting(client, make_user):
    client.force_login(make_user("haru"))
    page = client.post("/seller/apply/", {**APPLICATION, "step": "review"}).content.decode()
    assert "Check your application" in page or "신청 내용 확인" in page
    assert "220-81-62517" in page and "하루공방" in page
    assert not StoreApplication.objects.exists()

    response = client.post("/seller/apply/", {**APPLICATION, "step": "submit"}, follow=True)
    application = StoreApplication.objects.get()
    assert application.status == StoreApplication.Status.PENDING
    assert application.business_number == "2208162517"
    assert response.redirect_chain[-1][0] == f"/seller/applications/{application.pk}/"
    assert "하루공방" in response.content.decode()


def test_apply_bad_business_number_gives_form_error(client, make_user):
    client.force_login(make_user("haru"))
    data = {**APPLICATION, "business_number": "220-81-62518", "step": "review"}
    response = client.post("/seller/apply/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_business_number-errors"' in page
    assert not StoreApplication.objects.exists()
    # Even when the review step is skipped, nothing half-done is saved.
    client.post("/seller/apply/", {**data, "step": "submit"})
    assert not StoreApplication.objects.exists()


def test_apply_missing_fields_gives_errors_next_to_them(client, make_user):
    client.force_login(make_user("haru"))
    data = {**APPLICATION, "mail_order_number": "", "phone": "12345", "step": "review"}
    page = client.post("/seller/apply/", data).content.decode()
    assert 'id="id_mail_order_number-errors"' in page and 'id="id_phone-errors"' in page
    assert not StoreApplication.objects.exists()


def test_application_approved_by_command_then_owner_registers_goods_with_options(client, make_user):
    applicant = make_user("haru")
    application = application_submit(applicant=applicant, data=dict(APPLICATION))
    out = call_command_out("stores", "list", "--pending")
    assert f"#{application.pk}" in out and "하루공방" in out

    call_command_out("stores", "approve", str(application.pk))

    store = Store.objects.get(application__pk=application.pk)
    assert StoreStaff.objects.get(store=store).user == applicant
    assert StoreStaff.objects.get(store=store).role == StoreStaff.Role.OWNER
    channel = Channel.objects.get(store=store, kind=Channel.Kind.STORE)
    assert Membership.objects.get(channel=channel, user=applicant).role == "owner"
    assert store.business_number == "2208162517"

    client.force_login(applicant)
    response = client.post(
        f"/seller/stores/{store.slug}/goods/new/",
        {
            "name": "손뜨개 니트 모자",
            "category": "living",
            "price": "25000",
            "description": "겨울용",
            "tags": "니트, 모자",
            "options-TOTAL_FORMS": "3",
            "options-INITIAL_FORMS": "0",
            "options-0-name": "아이보리",
            "options-0-stock": "4",
            "options-1-name": "차콜",
            "options-1-price_delta": "1000",
            "options-1-stock": "0",
        },
    )
    assert response.status_code == 302
    goods = Goods.objects.get(store=store)
    assert [(o.name, o.price_delta, o.stock) for o in goods.options.all()] == [
        ("아이보리", 0, 4),
        ("차콜", 1000, 0),
    ]
    assert goods.status == Goods.Status.ON_SALE
    assert Channel.objects.filter(goods=goods, kind=Channel.Kind.GOODS).exists()
    page = client.get(f"/goods/{goods.pk}/").content.decode()
    assert "25,000" in page and "26,000" in page and "아이보리" in page


def call_command_out(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_stores_command_refuses_bad_input_with_one_sentence(make_user):
    application = application_submit(applicant=make_user("haru"), data=dict(APPLICATION))
    with pytest.raises(CommandError, match="no application #999"):
        call_command("stores", "approve", "999")
    with pytest.raises(CommandError, match="not an application number"):
        call_command("stores", "approve", "abc")
    with pytest.raises(CommandError, match="reason|사유"):
        call_command("stores", "reject", str(application.pk), "--reason", "   ")
    with pytest.raises(CommandError, match="suspended|정지"):
        call_command("stores", "suspend", str(application.pk), "--reason", "x")
    call_command_out("stores", "approve", str(application.pk))
    with pytest.raises(CommandError, match="waiting|심사 대기"):
        call_command("stores", "approve", str(application.pk))
    assert Store.objects.count() == 1


def test_rejection_reason_shown_on_status_page_and_next_page_notice(client, make_user):
    applicant = make_user("haru")
    application = application_submit(applicant=applicant, data=dict(APPLICATION))
    call_command_out(
        "stores", "reject", str(application.pk), "--reason", "통신판매업 신고증 확인 불가"
    )
    client.force_login(applicant)
    first = client.get("/stores/").content.decode()
    assert "통신판매업 신고증 확인 불가" in first
    assert "통신판매업 신고증 확인 불가" not in client.get("/stores/").content.decode()
    status_page = client.get(f"/seller/applications/{application.pk}/").content.decode()
    assert "통신판매업 신고증 확인 불가" in status_page


def test_status_page_is_private_to_the_applicant(client, make_user):
    application = application_submit(applicant=make_user("haru"), data=dict(APPLICATION))
    client.force_login(make_user("other"))
    assert client.get(f"/seller/applications/{application.pk}/").status_code == 404


def test_approval_rings_the_applicant_inbox(make_user, django_capture_on_commit_callbacks):
    applicant = make_user("haru")
    application = application_submit(applicant=applicant, data=dict(APPLICATION))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command_out("stores", "approve", str(application.pk))

    async def listen_then_commit() -> dict:
        # One event loop for the whole exchange (the Redis PubSub layer is per loop).
        layer = get_channel_layer()
        name = await layer.new_channel()
        await layer.group_add(inbox_group(applicant.pk), name)
        for callback in callbacks:
            await sync_to_async(callback)()
        return await asyncio.wait_for(layer.receive(name), timeout=5)

    event = async_to_sync(listen_then_commit)()
    assert event["type"] == "inbox.event"
    assert event["frame"]["status"] == "approved"
    assert event["frame"]["url"] == f"/seller/applications/{application.pk}/"


def test_suspend_hides_store_and_reinstate_brings_it_back(client, seller_store):
    store, owner = seller_store
    application = store.application
    call_command_out("stores", "suspend", str(application.pk), "--reason", "민원 접수")
    assert client.get(f"/stores/{store.slug}/").status_code == 404
    client.force_login(owner)
    assert "민원 접수" in client.get("/").content.decode()
    call_command_out("stores", "reinstate", str(application.pk))
    assert client.get(f"/stores/{store.slug}/").status_code == 200


def test_admin_actions_approve_and_reject_with_reason(client, make_user):
    admin_user = make_user("boss", is_staff=True, is_superuser=True)
    first = application_submit(applicant=make_user("a1"), data=dict(APPLICATION))
    second = application_submit(
        applicant=make_user("a2"), data={**APPLICATION, "store_name": "둘째가게"}
    )
    client.force_login(admin_user)
    url = "/admin/shop/storeapplication/"
    client.post(url, {"action": "approve", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == "approved" and first.store is not None

    # Reject asks for a reason first; an empty one changes nothing.
    page = client.post(url, {"action": "reject", "_selected_action": [second.pk]})
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    client.post(
        url, {"action": "reject", "_selected_action": [second.pk], "confirm": "1", "reason": ""}
    )
    second.refresh_from_db()
    assert second.status == "pending"
    client.post(
        url,
        {
            "action": "reject",
            "_selected_action": [second.pk],
            "confirm": "1",
            "reason": "서류 미비",
        },
    )
    second.refresh_from_db()
    assert second.status == "rejected" and second.reason == "서류 미비"
