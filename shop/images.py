"""Uploaded images: check they are real images of an allowed type and size, then resize."""

from __future__ import annotations

import io
import os
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000

# (width, height) boxes the stored image fits into.
LOGO_BOX = (400, 400)
COVER_BOX = (1600, 800)
GOODS_BOX = (1200, 1200)
MAX_PHOTOS = 3  # photos a buyer may attach to a review or a claim


def validate_image_upload(upload) -> None:
    """A real JPEG/PNG/WebP/GIF image of at most 5 MB, or a ValidationError."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is larger than 5 MB. Please upload a smaller one."), code="too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            width, height = img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."),
            code="not_an_image",
        ) from None
    finally:
        upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."), code="bad_image_type")
    if width * height > MAX_PIXELS:
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")


def resize_image(upload, box: tuple[int, int], *, prefix: str = "img") -> InMemoryUploadedFile:
    """A resized copy fitting ``box`` (aspect kept), as JPEG (PNG when it has transparency)."""
    upload.seek(0)
    with Image.open(upload) as img:
        img.load()
        has_alpha = img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info)
        img = img.convert("RGBA" if has_alpha else "RGB")
        img.thumbnail(box, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if has_alpha:
            img.save(out, format="PNG", optimize=True)
            ext, content_type = "png", "image/png"
        else:
            img.save(out, format="JPEG", quality=85, optimize=True)
            ext, content_type = "jpg", "image/jpeg"
    size = out.tell()
    out.seek(0)
    base = os.path.splitext(os.path.basename(getattr(upload, "name", "") or ""))[0][:40]
    name = f"{prefix}-{uuid.uuid4().hex[:12]}{'-' + base if base else ''}.{ext}"
    return InMemoryUploadedFile(out, None, name, content_type, size, None)


def clean_photo_uploads(photos, *, error: type[Exception]) -> list:
    """The buyer's photos (empty slots dropped): at most MAX_PHOTOS real images, otherwise
    ``error(message, field="photos")``."""
    from django.utils.translation import gettext

    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise error(gettext("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    for upload in photos:
        try:
            validate_image_upload(upload)
        except ValidationError as invalid:
            raise error(invalid.messages[0], field="photos") from None
    return photos
