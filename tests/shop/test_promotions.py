"""Promotions: prices at the boundaries (Asia/Seoul), best-of rule, group buys, channels."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat.models import Channel, Membership, Message
from chat.services.channels import channel_ensure_for_store
from chat.services.memberships import membership_join
from shop.exceptions import NotAllowed, ShopError
from shop.models import Goods, GroupBuyCommitment, Promotion, StoreStaff, Visibility
from shop.pricing import price_for, price_quote
from shop.services.goods import goods_create
from shop.services.promotions import (
    group_buy_commit,
    group_buy_withdraw,
    promotion_create,
    promotion_end,
    promotion_update,
    promotion_visible_to,
)

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2030, 12, 1, 10, 0, tzinfo=SEOUL)  # 01:00 UTC
END = datetime(2030, 12, 3, 18, 0, tzinfo=SEOUL)  # 09:00 UTC
SECOND = timedelta(seconds=1)


class Recorder:
    """Stands in for the channel layer: what was sent to which group after commit."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group: str, event: dict) -> None:
        self.sent.append((group, event))

    def to(self, group: str) -> list[dict]:
        return [event for g, event in self.sent if g == group]


@pytest.fixture
def events(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr("chat.services.messages.get_channel_layer", lambda: recorder)
    return recorder


@pytest.fixture
def shop(seller_store):
    store, owner = seller_store
    knit = goods_create(
        store=store,
        actor=owner,
        fields={"name": "니트 조끼", "category": "fashion", "price": 20000, "stock": 10},
        options=[{"name": "S", "stock": 3}, {"name": "XL", "price_delta": 2000, "stock": 3}],
    )
    mug = goods_create(
        store=store,
        actor=owner,
        fields={"name": "머그컵", "category": "living", "price": 8000, "stock": 10},
    )
    return store, owner, knit, mug


def discount(store, owner, goods=(), **fields) -> Promotion:
    data = {
        "kind": "discount",
        "title": "겨울 할인",
        "starts_at": START,
        "ends_at": END,
        "discount_type": "percent",
        "discount_value": 10,
    }
    data.update(fields)
    return promotion_create(store=store, actor=owner, fields=data, goods=list(goods))


def group_buy(store, owner, item, **fields) -> Promotion:
    data = {
        "kind": "group_buy",
        "title": "머그컵 공동구매",
        "starts_at": timezone.now() - timedelta(hours=1),
        "ends_at": timezone.now() + timedelta(days=2),
        "group_price": 6000,
        "group_min_buyers": 2,
    }
    data.update(fields)
    return promotion_create(store=store, actor=owner, fields=data, goods=[item])


# --- prices ---------------------------------------------------------------------------------


def test_price_for_percent_discount_boundaries_in_seoul(shop):
    store, owner, knit, _mug = shop
    promotion = discount(store, owner, [knit])
    assert promotion.starts_at == datetime(2030, 12, 1, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert price_for(knit, now=START - SECOND) == 20000
    assert price_for(knit, now=START) == 18000
    assert price_for(knit, now=END - SECOND) == 18000
    assert price_for(knit, now=END) == 20000


def test_price_for_fixed_discount_applies_to_options(shop):
    store, owner, knit, mug = shop
    discount(store, owner, [knit], discount_type="fixed", discount_value=3000)
    xl = knit.options.get(name="XL")
    at = START + timedelta(hours=1)
    assert price_for(knit, now=at) == 17000
    assert price_for(knit, xl, now=at) == 19000
    quote = price_quote(knit, xl, now=at)
    assert (quote.base, quote.price, quote.discounted) == (22000, 19000, True)
    assert price_for(mug, now=at) == 8000  # not chosen


def test_price_for_best_single_discount_wins(shop):
    store, owner, knit, mug = shop
    discount(store, owner, store_wide=True, discount_value=10)
    best = discount(store, owner, [knit], discount_type="fixed", discount_value=3000)
    at = START + timedelta(hours=1)
    quote = price_quote(knit, now=at)
    assert quote.price == 17000  # 3,000 off beats 10 % (2,000); the two never stack
    assert quote.promotion == best
    assert price_for(mug, now=at) == 7200  # store-wide 10 %


def test_price_for_percent_rounds_the_discount_down(shop):
    store, owner, _knit, _mug = shop
    odd = Goods.objects.create(store=store, name="양말", price=999, stock=5)
    discount(store, owner, [odd], discount_value=15)
    assert price_for(odd, now=START) == 999 - 149


def test_price_for_members_only_discount_only_for_members(shop, make_user):
    store, owner, knit, _mug = shop
    discount(store, owner, [knit], members_only=True)
    stranger, member = make_user("stranger"), make_user("member")
    membership_join(channel=channel_ensure_for_store(store=store), user=member)
    assert price_for(knit, user=stranger, now=START) == 20000
    assert price_for(knit, user=member, now=START) == 18000
    assert price_for(knit, user=owner, now=START) == 18000


def test_price_for_stops_when_seller_ends_promotion(shop):
    store, owner, knit, _mug = shop
    promotion = discount(
        store,
        owner,
        [knit],
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1),
    )
    assert price_for(knit) == 18000
    promotion_end(promotion=promotion, actor=owner)
    assert price_for(knit) == 20000


# --- creation and errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": START - SECOND}, "ends_at"),
        ({"ends_at": START}, "ends_at"),
        ({"discount_value": 0}, "discount_value"),
        ({"discount_value": 91}, "discount_value"),
        ({"discount_type": "fixed", "discount_value": 20000}, "discount_value"),
        ({"discount_type": ""}, "discount_type"),
    ],
)
def test_promotion_create_refuses_bad_discount(shop, fields, field):
    store, owner, knit, _mug = shop
    with pytest.raises(ShopError) as error:
        discount(store, owner, [knit], **fields)
    assert error.value.field == field
    assert not Promotion.objects.exists()
    assert not Channel.objects.filter(kind="promotion").exists()


def test_promotion_create_refuses_discount_without_goods(shop):
    store, owner, _knit, _mug = shop
    with pytest.raises(ShopError) as error:
        discount(store, owner, [])
    assert error.value.field == "goods"


def test_promotion_create_refuses_other_stores_goods(shop, make_user):
    from shop.models import Store

    store, owner, _knit, _mug = shop
    other = Store.objects.create(owner=make_user("other"), name="Other", slug="other")
    foreign = Goods.objects.create(store=other, name="남의 상품", price=1000)
    with pytest.raises(ShopError) as error:
        discount(store, owner, [foreign])
    assert error.value.field == "goods"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"group_price": 8000}, "group_price"),
        ({"group_price": None}, "group_price"),
        ({"group_min_buyers": 1}, "group_min_buyers"),
    ],
)
def test_promotion_create_refuses_bad_group_buy(shop, fields, field):
    store, owner, _knit, mug = shop
    with pytest.raises(ShopError) as error:
        group_buy(store, owner, mug, **fields)
    assert error.value.field == field
    assert not Promotion.objects.exists()


def test_promotion_create_refused_for_non_staff(shop, make_user):
    from django.core.exceptions import PermissionDenied

    store, _owner, knit, _mug = shop
    with pytest.raises(PermissionDenied):
        discount(store, make_user("buyer"), [knit])


def test_promotion_channel_created_with_store_staff(shop, make_user):
    store, owner, knit, _mug = shop
    manager = make_user("manager")
    StoreStaff.objects.create(store=store, user=manager, role=StoreStaff.Role.MANAGER)
    promotion = discount(store, owner, [knit])
    channel = promotion.channel
    assert channel.kind == Channel.Kind.PROMOTION
    assert channel.key == f"promotion:{promotion.pk}"
    assert channel.store == store and channel.title == "겨울 할인"
    assert channel.visibility == Visibility.OPEN
    roles = dict(
        Membership.objects.filter(channel=channel, state="active").values_list(
            "user__username", "role"
        )
    )
    assert roles == {"haru": "owner", "manager": "manager"}


def test_promotion_channel_closed_for_members_only_with_store_members(shop, make_user):
    store, owner, knit, _mug = shop
    member = make_user("member")
    membership_join(channel=channel_ensure_for_store(store=store), user=member)
    promotion = discount(store, owner, [knit], members_only=True)
    assert promotion.channel.visibility == Visibility.CLOSED
    assert Membership.objects.filter(
        channel=promotion.channel, user=member, state="active"
    ).exists()


def test_promotion_update_renames_channel_and_keeps_kind(shop):
    store, owner, knit, _mug = shop
    promotion = discount(store, owner, [knit])
    promotion = promotion_update(
        promotion=promotion,
        actor=owner,
        fields={
            "kind": "event",
            "title": "연말 할인",
            "starts_at": START,
            "ends_at": END,
            "discount_type": "percent",
            "discount_value": 20,
        },
        goods=[knit],
    )
    assert promotion.kind == "discount"
    assert promotion.discount_value == 20
    promotion.channel.refresh_from_db()
    assert promotion.channel.title == "연말 할인"


def test_promotion_visible_to_hides_members_only_from_non_members(shop, make_user):
    store, owner, knit, _mug = shop
    promotion = discount(store, owner, [knit], members_only=True)
    assert not promotion_visible_to(promotion, make_user("stranger"))
    assert promotion_visible_to(promotion, owner)


# --- group buys -----------------------------------------------------------------------------


def test_group_buy_commit_once_and_withdraw(shop, make_user):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug)
    buyer = make_user("buyer")
    group_buy_commit(promotion=promotion, user=buyer)
    group_buy_commit(promotion=promotion, user=buyer)
    assert promotion.commitments.filter(state="committed").count() == 1
    group_buy_withdraw(promotion=promotion, user=buyer)
    assert promotion.commitments.get().state == GroupBuyCommitment.State.WITHDRAWN
    with pytest.raises(NotAllowed):
        group_buy_withdraw(promotion=promotion, user=buyer)


def test_group_buy_commit_refused_after_deadline(shop, make_user):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug)
    with pytest.raises(NotAllowed):
        group_buy_commit(promotion=promotion, user=make_user("late"), now=promotion.ends_at)
    with pytest.raises(NotAllowed):
        group_buy_commit(
            promotion=promotion, user=make_user("early"), now=promotion.starts_at - SECOND
        )
    assert not promotion.commitments.exists()


def test_group_buy_commit_refused_for_non_member_of_members_only(shop, make_user):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug, members_only=True)
    with pytest.raises(NotAllowed):
        group_buy_commit(promotion=promotion, user=make_user("stranger"))


def _close(now) -> str:
    out = io.StringIO()
    call_command("promotions", "close_expired", "--now", now.isoformat(), stdout=out)
    return out.getvalue()


def test_group_buy_success_with_command_is_idempotent(
    shop, make_user, events, django_capture_on_commit_callbacks
):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug)
    buyers = [make_user("buyer1"), make_user("buyer2"), make_user("buyer3")]
    for buyer in buyers:
        group_buy_commit(promotion=promotion, user=buyer)
    group_buy_withdraw(promotion=promotion, user=buyers[2])
    assert "nothing changed" in _close(promotion.ends_at - SECOND)

    with django_capture_on_commit_callbacks(execute=True):
        out = _close(promotion.ends_at)
    assert "succeeded: 2 buyers" in out
    promotion.refresh_from_db()
    assert promotion.outcome == "succeeded" and promotion.ended_at is not None
    confirmed = promotion.commitments.filter(state="confirmed")
    assert {c.user.username for c in confirmed} == {"buyer1", "buyer2"}
    assert set(confirmed.values_list("price", flat=True)) == {6000}
    assert promotion.commitments.get(user=buyers[2]).state == "withdrawn"
    frame = events.to(f"inbox.{buyers[0].pk}")[0]["frame"]
    assert frame["type"] == "group_buy" and frame["outcome"] == "succeeded"
    assert frame["price"] == 6000 and frame["promotion"] == promotion.pk
    assert not events.to(f"inbox.{buyers[2].pk}")
    line = Message.objects.get(channel=promotion.channel, kind="system")
    assert line.data["event"] == "group_buy_succeeded"

    again = _close(promotion.ends_at + timedelta(hours=1))
    assert "nothing changed" in again
    assert Message.objects.filter(channel=promotion.channel, kind="system").count() == 1


def test_group_buy_failure_releases_commitments_and_tells_buyers(
    shop, make_user, events, django_capture_on_commit_callbacks
):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug, group_min_buyers=3)
    buyer = make_user("buyer")
    group_buy_commit(promotion=promotion, user=buyer)
    with django_capture_on_commit_callbacks(execute=True):
        out = _close(promotion.ends_at + SECOND)
    assert "failed: 1 of 3 buyers" in out
    promotion.refresh_from_db()
    assert promotion.outcome == "failed"
    commitment = promotion.commitments.get()
    assert commitment.state == "released" and commitment.price is None
    frame = events.to(f"inbox.{buyer.pk}")[0]["frame"]
    assert frame == {
        "type": "group_buy",
        "promotion": promotion.pk,
        "title": "머그컵 공동구매",
        "store": store.name,
        "outcome": "failed",
        "price": None,
        "buyers": 1,
        "needed": 3,
        "url": f"/promotions/{promotion.pk}/",
    }
    line = Message.objects.get(channel=promotion.channel, kind="system")
    assert line.data["event"] == "group_buy_failed"
    assert "nothing changed" in _close(promotion.ends_at + timedelta(days=1))


def test_close_expired_ends_discounts_once(shop):
    store, owner, knit, _mug = shop
    promotion = discount(store, owner, [knit])
    out = _close(END)
    assert f"Ended promotion #{promotion.pk}" in out
    promotion.refresh_from_db()
    assert promotion.ended_at is not None
    assert "nothing changed" in _close(END + SECOND)


def test_close_expired_bad_now_is_one_sentence(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("promotions", "close_expired", "--now", "tomorrow")


def test_promotion_end_settles_group_buy_early(shop, make_user):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug)
    for name in ("a", "b"):
        group_buy_commit(promotion=promotion, user=make_user(name))
    promotion = promotion_end(promotion=promotion, actor=owner)
    assert promotion.outcome == "succeeded"
    with pytest.raises(NotAllowed):
        promotion_end(promotion=promotion, actor=owner)


def test_group_buy_update_locked_after_commitments(shop, make_user):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug)
    group_buy_commit(promotion=promotion, user=make_user("buyer"))
    fields = {
        "title": "새 이름",
        "starts_at": promotion.starts_at,
        "ends_at": promotion.ends_at + timedelta(days=1),
        "group_price": 5000,
        "group_min_buyers": 2,
    }
    with pytest.raises(NotAllowed):
        promotion_update(promotion=promotion, actor=owner, fields=fields, goods=[mug])
    fields["group_price"] = 6000
    promotion = promotion_update(promotion=promotion, actor=owner, fields=fields, goods=[mug])
    assert promotion.title == "새 이름"


# --- pages ----------------------------------------------------------------------------------


def _form(**overrides) -> dict:
    data = {
        "kind": "discount",
        "title": "겨울 할인",
        "starts_at": "2030-12-01T10:00",
        "ends_at": "2030-12-03T18:00",
        "discount_type": "percent",
        "discount_value": "10",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_seller_promotion_new_stores_seoul_times_as_utc(client, shop):
    store, owner, knit, _mug = shop
    client.force_login(owner)
    url = f"/seller/stores/{store.slug}/promotions/new/"
    response = client.post(url, _form(goods=[knit.pk]))
    assert response.status_code == 302
    promotion = Promotion.objects.get()
    assert promotion.starts_at == datetime(2030, 12, 1, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert promotion.ends_at == datetime(2030, 12, 3, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert promotion.channel is not None
    edit = client.get(response["Location"]).content.decode()
    assert 'value="2030-12-01T10:00"' in edit


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2030-11-30T10:00"}, "The end must be after the start."),
        ({"discount_value": "95"}, "between 1 and 90"),
        ({"discount_type": "fixed", "discount_value": "20000"}, "must be less than the price"),
        ({"goods": None}, "Choose the goods on discount"),
        ({"starts_at": "어제"}, "Enter a valid date/time."),
        (
            {"kind": "group_buy", "group_price": "20000", "group_min_buyers": "3"},
            "must be lower than the usual price",
        ),
        ({"kind": "group_buy", "group_price": "5000", "group_min_buyers": "1"}, "greater than"),
    ],
)
def test_seller_promotion_form_errors_save_nothing(client, shop, settings, overrides, message):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    store, owner, knit, _mug = shop
    client.force_login(owner)
    data = _form(**{"goods": [knit.pk], **overrides})
    with translation.override("en"):
        response = client.post(
            f"/seller/stores/{store.slug}/promotions/new/", data, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page and message in page
    assert not Promotion.objects.exists()
    assert not Channel.objects.filter(kind="promotion").exists()


def test_seller_promotion_pages_refuse_other_people(client, shop, make_user):
    store, owner, knit, _mug = shop
    promotion = discount(store, owner, [knit])
    client.force_login(make_user("stranger"))
    assert client.get(f"/seller/stores/{store.slug}/promotions/").status_code == 404
    assert client.post(f"/seller/stores/{store.slug}/promotions/new/", _form()).status_code == 404
    end = f"/seller/stores/{store.slug}/promotions/{promotion.pk}/end/"
    assert client.post(end).status_code == 404
    promotion.refresh_from_db()
    assert promotion.ended_at is None


def test_seller_ends_promotion_from_list(client, shop):
    store, owner, knit, _mug = shop
    promotion = discount(store, owner, [knit])
    client.force_login(owner)
    listing = client.get(f"/seller/stores/{store.slug}/promotions/").content.decode()
    assert "겨울 할인" in listing
    client.post(f"/seller/stores/{store.slug}/promotions/{promotion.pk}/end/")
    promotion.refresh_from_db()
    assert promotion.ended_at is not None


def test_members_only_promotion_hidden_from_non_members(client, shop, make_user):
    store, owner, knit, _mug = shop
    now = timezone.now()
    secret = discount(
        store,
        owner,
        [knit],
        title="회원 전용 세일",
        members_only=True,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    stranger, member = make_user("stranger"), make_user("member")
    membership_join(channel=channel_ensure_for_store(store=store), user=member)
    for user in (None, stranger):
        if user:
            client.force_login(user)
        assert client.get(f"/promotions/{secret.pk}/").status_code == 404
        assert "회원 전용 세일" not in client.get(f"/stores/{store.slug}/").content.decode()
        assert "회원 전용 세일" not in client.get("/").content.decode()
        goods_page = client.get(f"/goods/{knit.pk}/").content.decode()
        assert "18,000" not in goods_page and "20,000" in goods_page
    client.force_login(member)
    assert "회원 전용 세일" in client.get(f"/stores/{store.slug}/").content.decode()
    page = client.get(f"/goods/{knit.pk}/").content.decode()
    assert "18,000" in page and "price-old" in page  # the original, struck through


def test_promotion_page_shows_goods_prices_period_and_talk(client, shop):
    store, owner, knit, _mug = shop
    now = timezone.now()
    promotion = discount(
        store, owner, [knit], starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)
    )
    page = client.get(f"/promotions/{promotion.pk}/").content.decode()
    assert "겨울 할인" in page and "니트 조끼" in page
    assert "18,000" in page and "20,000" in page
    assert f'data-channel="{promotion.channel.pk}"' in page or "talk" in page
    assert f"/s/promo/{promotion.pk}/" in page
    assert "겨울 할인" in client.get("/").content.decode()
    assert "겨울 할인" in client.get(f"/stores/{store.slug}/").content.decode()


def test_group_buy_page_commit_and_withdraw_buttons(client, shop, make_user):
    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug, group_min_buyers=3)
    buyer = make_user("buyer")
    page = client.get(f"/promotions/{promotion.pk}/").content.decode()
    assert "6,000" in page and "8,000" in page and "/accounts/login/" in page
    client.force_login(buyer)
    client.post(f"/promotions/{promotion.pk}/commit/")
    assert promotion.commitments.get(user=buyer).state == "committed"
    page = client.get(f"/promotions/{promotion.pk}/").content.decode()
    assert 'aria-valuenow="1"' in page and 'aria-valuemax="3"' in page
    assert f"/promotions/{promotion.pk}/withdraw/" in page
    client.post(f"/promotions/{promotion.pk}/withdraw/")
    assert promotion.commitments.get(user=buyer).state == "withdrawn"
    assert client.post(f"/promotions/{promotion.pk}/bogus/").status_code == 404


def test_seller_admin_shows_only_own_store_promotions(client, demo, django_user_model):
    boutique = django_user_model.objects.get(username="boutique")
    client.force_login(boutique)
    page = client.get("/admin/shop/promotion/").content.decode()
    assert "딸기 케이크 공동구매" not in page and "소금빵 주간 10% 할인" not in page
    other = Promotion.objects.get(title="딸기 케이크 공동구매")
    assert client.get(f"/admin/shop/promotion/{other.pk}/change/").status_code in (302, 404)
    client.force_login(django_user_model.objects.get(username="bakery"))
    page = client.get("/admin/shop/promotion/").content.decode()
    assert "딸기 케이크 공동구매" in page


def test_seed_demo_promotions_are_running_and_idempotent(demo):
    call_command("seed_demo", stdout=io.StringIO())
    assert Promotion.objects.filter(kind="discount").count() == 1
    group = Promotion.objects.get(kind="group_buy")
    assert group.is_running() and group.channel.kind == "promotion"
    salt = Goods.objects.get(name="소금빵 4개입")
    assert price_for(salt) == 8820


def test_group_buy_price_for_only_after_success(shop, make_user):
    from shop.pricing import group_buy_price_for

    store, owner, _knit, mug = shop
    promotion = group_buy(store, owner, mug)
    buyer, other = make_user("buyer"), make_user("other")
    group_buy_commit(promotion=promotion, user=buyer)
    group_buy_commit(promotion=promotion, user=other)
    assert group_buy_price_for(mug, buyer) is None  # not settled yet
    _close(promotion.ends_at)
    assert group_buy_price_for(mug, buyer) == 6000
    assert group_buy_price_for(mug, make_user("late")) is None
    assert price_for(mug, user=buyer) == 8000  # the shown price stays the usual one


def test_seller_goods_list_shows_discounted_price_struck_through(client, shop):
    store, owner, knit, _mug = shop
    now = timezone.now()
    discount(store, owner, [knit], starts_at=now - SECOND, ends_at=now + timedelta(days=1))
    client.force_login(owner)
    page = client.get(f"/seller/stores/{store.slug}/").content.decode()
    assert "18,000" in page and "price-old" in page and "20,000" in page
