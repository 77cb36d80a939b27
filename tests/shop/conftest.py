from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

VALID_BIZ = "220-81-62517"
APPLICATION = {
    "store_name": "하루공방",
    "category": "living",
    "description": "손뜨개 니트 소품을 만듭니다.",
    "business_number": VALID_BIZ,
    "representative_name": "정하루",
    "phone": "010-1111-2222",
    "email": "haru@example.com",
    "business_address": "부산광역시 해운대구 센텀로 1",
    "mail_order_number": "2025-부산해운대-0001",
    "bank_name": "하나은행",
    "bank_account_number": "123-456789-01234",
    "bank_account_holder": "정하루",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_file(name: str = "photo.png", size=(800, 600), fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 90)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def seller_store(make_user):
    """An approved store 하루공방 run by ``haru`` (through the real application path)."""
    from shop.services.applications import application_approve, application_submit

    owner = make_user("haru")
    data = dict(APPLICATION)
    application = application_submit(applicant=owner, data=data)
    store = application_approve(application=application)
    owner.refresh_from_db()
    return store, owner
