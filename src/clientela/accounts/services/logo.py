"""The company's logo: one image file under CLIENTELA_HOME/company/, shown in the header of every
public page (the preference centre, unsubscribe, sign-up) and on the settings page.

What a logo is, is decided by its content, never by its name or the type the browser claims: a
PNG, JPEG, WebP or GIF of at most MAX_BYTES and MAX_SIDE pixels a side. SVG is refused (it can
carry scripts). The file is named by the start of its SHA-256, and so is its URL: a new logo
gets a new address, and browsers may keep each one for a long time.
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Company, Role, User
from clientela.accounts.services.audit import record_audit
from clientela.accounts.services.company import (
    CompanySettings,
    _effective,
    company_settings,
    forget_company_settings,
)
from clientela.core.errors import Forbidden, invalid
from clientela.core.files import private_fd, private_folder

MAX_BYTES = 512 * 1024
MAX_SIDE = 4096
TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
SUFFIXES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


def logo_folder() -> Path:
    return Path(settings.HOME) / "company"


def logo_file(found: CompanySettings | None = None) -> Path | None:
    """The current logo's file, or None when the company has none (or it went missing)."""
    found = found or company_settings()
    if not found.logo_digest:
        return None
    path = logo_folder() / f"logo-{found.logo_digest}.{SUFFIXES.get(found.logo_type, 'bin')}"
    return path if path.is_file() else None


@transaction.atomic
def set_company_logo(*, by: User, data: bytes) -> CompanySettings:
    """Make `data` the company's logo (admins only), after checking what it is by its content."""
    _require_admin(by)
    if len(data) > MAX_BYTES:
        raise invalid(
            "logo",
            None,
            _("is %(size)s KB; a logo may be at most %(max)s KB"),
            code="logo_too_large",
            size=(len(data) + 1023) // 1024,
            max=MAX_BYTES // 1024,
        )
    kind = image_type(data)
    if kind is None:
        raise invalid(
            "logo",
            None,
            _("is not a PNG, JPEG, WebP or GIF image"),
            code="logo_not_an_image",
        )
    width, height = image_size(kind, data) or (0, 0)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise invalid(
            "logo",
            None,
            _("must be at most %(max)s pixels wide and high (this one is %(width)s by %(height)s)"),
            code="logo_too_big",
            max=MAX_SIDE,
            width=width,
            height=height,
        )
    digest = hashlib.sha256(data).hexdigest()[:16]
    folder = private_folder(logo_folder())
    path = folder / f"logo-{digest}.{SUFFIXES[kind]}"
    partial = path.with_suffix(".part")
    with open(private_fd(partial), "wb") as out:
        out.write(data)
    os.replace(partial, path)
    return _record(by, kind, digest, action="company.logo_changed")


@transaction.atomic
def remove_company_logo(*, by: User) -> CompanySettings:
    """The company shows its name alone again."""
    _require_admin(by)
    return _record(by, "", "", action="company.logo_removed")


def _record(by: User, kind: str, digest: str, *, action: str) -> CompanySettings:
    row = Company.objects.select_for_update().filter(pk=Company.SINGLETON).first()
    row = row or Company(pk=Company.SINGLETON)
    before = row.logo_digest
    row.logo_type, row.logo_digest, row.updated_by = kind, digest, by
    row.save()
    if before != digest:
        record_audit(
            by, action, target_kind="company", details={"logo": [before or None, digest or None]}
        )
    transaction.on_commit(lambda: _remove_other_logos(keep=digest))
    forget_company_settings()
    return _effective(row)


def _remove_other_logos(*, keep: str) -> None:
    """Earlier logos' files, once the row no longer names them."""
    folder = logo_folder()
    if not folder.is_dir():
        return
    for path in folder.glob("logo-*"):
        if not keep or not path.name.startswith(f"logo-{keep}."):
            path.unlink(missing_ok=True)


def _require_admin(by: User) -> None:
    if not (by.is_active and by.role == Role.ADMIN):
        raise Forbidden(
            _("only an admin may change the company's settings"), code="company_admin_only"
        )


def image_type(data: bytes) -> str | None:
    """The image's type as its first bytes say, among TYPES."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def image_size(kind: str, data: bytes) -> tuple[int, int] | None:
    """Width and height read from the image's header, or None when the header is broken."""
    try:
        if kind == "image/png" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if kind == "image/gif":
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if kind == "image/webp":
            return _webp_size(data)
        if kind == "image/jpeg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The size in the first start-of-frame marker."""
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return int(width), int(height)
        at += 2 + length
    return None
