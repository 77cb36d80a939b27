from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_sign_up_creates_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-Strong-pass-91",
            "password2": "a-Strong-pass-91",
            "display_name": "새내기",
            "marketing_opt_in": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    user = get_user_model().objects.get(username="newbie")
    assert user.display_name == "새내기"
    assert user.marketing_opt_in and user.marketing_opt_in_at is not None
    assert "새내기" in response.content.decode()


def test_sign_up_shows_form_error_on_mismatched_passwords(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "x1",
            "email": "x1@example.com",
            "password1": "a-Strong-pass-91",
            "password2": "different-pass-91",
        },
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="x1").exists()
    assert 'class="errorlist' in response.content.decode()


def test_log_in_and_log_out(client, make_user):
    make_user("hana", password="pw-hana-1234", display_name="하나")
    response = client.post(
        "/accounts/login/", {"login": "hana", "password": "pw-hana-1234"}, follow=True
    )
    assert "하나" in response.content.decode()
    response = client.post("/accounts/logout/", follow=True)
    page = response.content.decode()
    assert "하나" not in page
    assert "/accounts/login/" in page


def test_wrong_password_is_refused_with_message(client, make_user):
    make_user("hana", password="pw-hana-1234")
    response = client.post("/accounts/login/", {"login": "hana", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_mail(client, make_user, mailoutbox):
    make_user("hana", email="hana@example.com")
    response = client.post("/accounts/password/reset/", {"email": "hana@example.com"}, follow=True)
    assert response.status_code == 200
    assert len(mailoutbox) == 1 and "hana@example.com" in mailoutbox[0].to


def test_korean_by_default_and_english_through_switcher(client):
    page = client.get("/").content.decode()
    assert 'lang="ko"' in page and "스토어" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Stores" in page and "스토어" not in page


def test_my_page_saves_profile_and_consent_time(client, make_user):
    user = make_user("hana")
    client.force_login(user)
    response = client.post(
        "/me/",
        {"display_name": "하나짱", "phone": "010-1234-5678", "marketing_opt_in": "on"},
        follow=True,
    )
    assert "하나짱" in response.content.decode()
    user.refresh_from_db()
    assert user.marketing_opt_in_at is not None
    client.post("/me/", {"display_name": "하나짱", "phone": ""})
    user.refresh_from_db()
    assert not user.marketing_opt_in and user.marketing_opt_in_at is None


def test_my_page_rejects_bad_phone(client, make_user):
    user = make_user("hana")
    client.force_login(user)
    response = client.post("/me/", {"display_name": "x", "phone": "12345"})
    assert "010-1234-5678" in response.content.decode()
    user.refresh_from_db()
    assert user.phone == ""


def test_my_page_needs_sign_in(client):
    response = client.get("/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
