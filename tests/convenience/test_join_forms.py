"""Join-request forms: configuration, answering, who reads the answers, deletion."""

from __future__ import annotations

import pytest

from chat.feedback.joinform import (
    JoinFormInvalid,
    answers_by_user,
    join_form_set_builtins,
    join_question_add,
    join_request_submit,
)
from chat.feedback.models import JoinAnswer, JoinQuestion, JoinRequest
from chat.groups import inbox_group
from chat.models import Membership
from chat.services.memberships import (
    membership_approve,
    membership_kick,
    membership_leave,
    membership_reject,
)
from shop.models import StoreStaff
from tests.chat.manage_helpers import (
    english_fixture,  # noqa: F401 - fixture
    events_fixture,  # noqa: F401 - fixture
    make_shop,
    state_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(make_user):
    shop = make_shop(make_user, "closed", closed=True, manager=True)
    join_form_set_builtins(
        store=shop.store, actor=shop.owner, modes={"name": "required", "heard": "optional"}
    )
    join_question_add(store=shop.store, actor=shop.owner, label="Favourite size?", required=True)
    return shop


def q(shop, kind: str) -> str:
    question = JoinQuestion.objects.get(store=shop.store, kind=kind)
    return f"q{question.pk}"


def answer_all(shop) -> dict:
    return {q(shop, "name"): "김민준", q(shop, "heard"): "인스타그램", q(shop, "custom"): "M"}


def test_owner_configures_questions_managers_cannot(closed, make_user):
    kinds = list(JoinQuestion.objects.filter(store=closed.store).values_list("kind", "required"))
    assert kinds == [("name", True), ("heard", False), ("custom", True)]
    from chat.exceptions import Forbidden

    with pytest.raises(Forbidden):
        join_question_add(store=closed.store, actor=closed.manager, label="x", required=False)
    join_form_set_builtins(store=closed.store, actor=closed.owner, modes={"name": "off"})
    assert not JoinQuestion.objects.filter(store=closed.store, kind="name").exists()


def test_missing_required_answer_stores_nothing(closed, make_user):
    buyer = make_user("buyer")
    data = answer_all(closed)
    data[q(closed, "custom")] = "  "
    with pytest.raises(JoinFormInvalid) as error:
        join_request_submit(channel=closed.channel, user=buyer, data=data)
    assert error.value.errors == {q(closed, "custom"): "Please answer this question."}
    assert not Membership.objects.filter(channel=closed.channel, user=buyer).exists()
    assert not JoinRequest.objects.exists() and not JoinAnswer.objects.exists()


def test_answers_visible_only_to_the_stores_managers_and_staff(closed, make_user):
    buyer = make_user("buyer")
    join_request_submit(channel=closed.channel, user=buyer, data=answer_all(closed))
    assert state_of(closed.channel, buyer) == Membership.State.PENDING
    for viewer in (closed.owner, closed.manager, make_user("op", is_staff=True, is_superuser=True)):
        answers = answers_by_user(viewer, closed.store, [buyer.pk])[buyer.pk]
        assert [(a.label, a.value) for a in answers] == [
            ("Name", "김민준"),
            ("How did you hear about us?", "인스타그램"),
            ("Favourite size?", "M"),
        ]
    other = make_shop(make_user, "other", closed=True)
    for viewer in (buyer, make_user("someone"), other.owner, make_user("seller", is_staff=True)):
        assert answers_by_user(viewer, closed.store, [buyer.pk]) == {}


def test_seller_page_shows_answers_other_seller_gets_404(client, closed, make_user):
    buyer = make_user("buyer", display_name="민준")
    client.force_login(buyer)
    response = client.post(f"/talk/stores/{closed.store.slug}/join/", answer_all(closed))
    assert response.status_code == 302
    client.force_login(closed.manager)
    page = client.get(f"/seller/stores/{closed.store.slug}/talk/").content.decode()
    assert "인스타그램" in page and "Favourite size?" in page
    other = make_shop(make_user, "other", closed=True)
    client.force_login(other.owner)
    assert client.get(f"/seller/stores/{closed.store.slug}/talk/").status_code == 404
    client.force_login(buyer)
    assert "인스타그램" not in client.get(f"/stores/{closed.store.slug}/").content.decode()


def test_join_page_shows_form_errors_and_keeps_values(client, closed, make_user):
    client.force_login(make_user("buyer"))
    page = client.get(f"/stores/{closed.store.slug}/").content.decode()
    assert "Favourite size?" in page and "required" in page
    data = answer_all(closed)
    del data[q(closed, "name")]
    response = client.post(f"/talk/stores/{closed.store.slug}/join/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please answer this question." in page and "인스타그램" in page
    assert not JoinRequest.objects.exists()
    # the pane's "Request to join" sends people with a form to it
    response = client.post(f"/talk/{closed.channel.pk}/join/")
    assert response.status_code == 302 and response.url.endswith("/join/")
    assert not Membership.objects.filter(channel=closed.channel, state="pending").exists()


def test_rejection_deletes_answers_and_tells_the_buyer(client, closed, make_user, events):
    buyer = make_user("buyer")
    membership = join_request_submit(channel=closed.channel, user=buyer, data=answer_all(closed))
    assert JoinAnswer.objects.count() == 3
    with events.commit():
        membership_reject(membership=membership, actor=closed.manager, message="마감되었어요")
    assert JoinAnswer.objects.count() == 0
    request = JoinRequest.objects.get()
    assert request.status == "rejected" and request.message == "마감되었어요"
    frame = events.to(inbox_group(buyer.pk))[-1]["frame"]
    assert frame["state"] == "rejected" and frame["message"] == "마감되었어요"
    client.force_login(buyer)
    page = client.get("/talk/").content.decode()
    assert "request declined" in page and "마감되었어요" in page


def test_approval_keeps_answers_until_the_member_leaves(client, closed, make_user, events):
    buyer = make_user("buyer")
    membership = join_request_submit(channel=closed.channel, user=buyer, data=answer_all(closed))
    client.force_login(closed.owner)
    with events.commit():
        client.post(
            f"/seller/stores/{closed.store.slug}/talk/members/{membership.pk}/approve/",
            {"message": "환영합니다"},
        )
    assert state_of(closed.channel, buyer) == Membership.State.ACTIVE
    assert events.to(inbox_group(buyer.pk))[-1]["frame"]["message"] == "환영합니다"
    assert JoinAnswer.objects.count() == 3  # an active member: kept
    client.force_login(buyer)
    page = client.get("/talk/").content.decode()
    assert "request approved" in page and "환영합니다" in page
    membership_leave(channel=closed.channel, user=buyer)
    assert JoinAnswer.objects.count() == 0


def test_kick_and_withdrawn_request_delete_answers(closed, make_user):
    buyer = make_user("buyer")
    membership = join_request_submit(channel=closed.channel, user=buyer, data=answer_all(closed))
    membership_approve(membership=membership, actor=closed.owner)
    membership_kick(membership=membership, actor=closed.owner)
    assert JoinAnswer.objects.count() == 0
    other = make_user("other")
    join_request_submit(channel=closed.channel, user=other, data=answer_all(closed))
    membership_leave(channel=closed.channel, user=other)  # cancels the pending request
    assert JoinAnswer.objects.count() == 0
    assert JoinRequest.objects.filter(user=other).get().status == "closed"


def test_seller_join_form_page(client, closed, make_user):
    client.force_login(closed.owner)
    url = f"/seller/stores/{closed.store.slug}/talk/join-form/"
    page = client.get(url).content.decode()
    assert "Favourite size?" in page
    client.post(url, {"action": "add", "label": "Instagram id?", "required": "on"})
    assert JoinQuestion.objects.filter(label="Instagram id?", required=True).exists()
    client.post(
        url,
        {
            "action": "builtins",
            "name": "off",
            "phone": "required",
            "note": "off",
            "heard": "optional",
        },
    )
    assert set(JoinQuestion.objects.values_list("kind", flat=True)) == {"phone", "heard", "custom"}
    manager_page = client.get(url)
    client.force_login(closed.manager)
    response = client.post(url, {"action": "add", "label": "manager q"})
    assert not JoinQuestion.objects.filter(label="manager q").exists()
    assert manager_page.status_code == 200 and response.status_code == 200
    assert StoreStaff.objects.filter(user=closed.manager).exists()


def test_phone_answer_validated(closed, make_user):
    join_form_set_builtins(store=closed.store, actor=closed.owner, modes={"phone": "required"})
    with pytest.raises(JoinFormInvalid):
        join_request_submit(
            channel=closed.channel, user=make_user("b"), data={q(closed, "phone"): "call me"}
        )


def test_admin_shows_answers_and_approves(client, closed, make_user):
    buyer = make_user("buyer")
    join_request_submit(channel=closed.channel, user=buyer, data=answer_all(closed))
    other = make_shop(make_user, "other", closed=True)
    other.owner.is_staff = True
    other.owner.save()
    client.force_login(other.owner)  # a seller of another store sees none of it
    page = client.get("/admin/chatfeedback/joinrequest/")
    assert "인스타그램" not in page.content.decode()
    closed.owner.is_staff = True
    closed.owner.save()
    client.force_login(closed.owner)
    page = client.get("/admin/chatfeedback/joinrequest/").content.decode()
    assert "인스타그램" in page and "김민준" in page
    request = JoinRequest.objects.get()
    client.post(
        "/admin/chatfeedback/joinrequest/",
        {"action": "approve", "_selected_action": [request.pk]},
    )
    assert state_of(closed.channel, buyer) == Membership.State.ACTIVE
    request.refresh_from_db()
    assert request.status == "approved"


def test_invitation_that_needs_approval_asks_the_join_form(client, make_user):
    from chat.services.invitations import invitation_create

    shop = make_shop(make_user, "invites", closed=True, invite_needs_approval=True)
    join_form_set_builtins(store=shop.store, actor=shop.owner, modes={"heard": "required"})
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    buyer = make_user("buyer")
    client.force_login(buyer)
    url = f"/invite/{invitation.token}/"
    assert "How did you hear about us?" in client.get(url).content.decode()
    response = client.post(url, {"join": "1"})
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()
    assert not Membership.objects.filter(channel=shop.channel, user=buyer).exists()
    client.post(url, {"join": "1", q(shop, "heard"): "친구 초대"})
    assert state_of(shop.channel, buyer) == Membership.State.PENDING
    assert JoinAnswer.objects.get().value == "친구 초대"
