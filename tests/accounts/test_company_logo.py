"""The company's postal address and logo: checked by content, kept under CLIENTELA_HOME, served
to anyone by an address that names the content, and reachable from every door (the settings
page, /api/v1/company, `clientela company`)."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from clientela.accounts.models import AuditEntry, Company, User
from clientela.accounts.services import (
    company_settings,
    remove_company_logo,
    set_company_logo,
    update_company,
)
from clientela.accounts.services.logo import MAX_BYTES, image_size, image_type
from clientela.core.errors import Forbidden, Invalid
from tests.api.problems import assert_problem

pytestmark = pytest.mark.django_db


def png(width: int = 3, height: int = 2) -> bytes:
    """A real PNG: signature, IHDR, one IDAT of white pixels, IEND."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# A baseline JPEG's start: SOI, an APP0 segment, then SOF0 with height 5 and width 7.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xc0\x00\x11\x08\x00\x05\x00\x07\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    b"\xff\xd9"
)


@pytest.fixture(autouse=True)
def home(settings: Settings, tmp_path: Path) -> Path:
    settings.HOME = tmp_path
    return tmp_path


def test_the_type_and_size_come_from_the_content() -> None:
    assert image_type(png(40, 12)) == "image/png"
    assert image_size("image/png", png(40, 12)) == (40, 12)
    assert image_type(JPEG) == "image/jpeg"
    assert image_size("image/jpeg", JPEG) == (7, 5)
    gif = b"GIF89a" + struct.pack("<HH", 9, 4) + b"\x00" * 10
    assert (image_type(gif), image_size("image/gif", gif)) == ("image/gif", (9, 4))
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>") is None


def test_an_admin_sets_a_logo_kept_under_the_home_and_served_to_anyone(
    admin: User, home: Path, client: Client
) -> None:
    data = png()
    found = set_company_logo(by=admin, data=data)
    assert found.logo_type == "image/png"
    assert found.logo_url == f"/company/logo/{found.logo_digest}/"
    assert company_settings().logo_url == found.logo_url
    files = list((home / "company").iterdir())
    assert [f.read_bytes() for f in files] == [data]
    assert files[0].stat().st_mode & 0o077 == 0  # private to Clientela's user
    response = client.get(found.logo_url)  # nobody signed in: public pages show it
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined] # FileResponse streams
    assert "immutable" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.get("/company/logo/0123456789abcdef/").status_code == 404
    assert AuditEntry.objects.filter(action="company.logo_changed").count() == 1


def test_a_new_logo_replaces_the_old_file_and_removing_it_deletes_it(
    admin: User,
    home: Path,
    client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = set_company_logo(by=admin, data=png(3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        second = set_company_logo(by=admin, data=png(4, 4))
    assert first.logo_url != second.logo_url
    assert len(list((home / "company").iterdir())) == 1
    assert client.get(first.logo_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        removed = remove_company_logo(by=admin)
    assert removed.logo_url == ""
    assert list((home / "company").iterdir()) == []
    assert client.get(second.logo_url).status_code == 404


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "logo_not_an_image",
        ),
        (b"GIF89a" + b"\x00" * 20, "logo_too_big"),  # a header that says 0x0
        (png(5000, 10), "logo_too_big"),
        (png() + b"\x00" * MAX_BYTES, "logo_too_large"),
    ],
)
def test_what_is_not_a_small_image_is_refused_and_nothing_is_kept(
    admin: User, home: Path, data: bytes, code: str
) -> None:
    with pytest.raises(Invalid) as caught:
        set_company_logo(by=admin, data=data)
    assert [(e.field, e.code) for e in caught.value.errors] == [("logo", code)]
    assert not (home / "company").exists() or not list((home / "company").iterdir())
    assert company_settings().logo_url == ""


def test_only_an_admin_sets_the_logo(manager: User) -> None:
    with pytest.raises(Forbidden):
        set_company_logo(by=manager, data=png())
    assert not Company.objects.exists()


def test_the_postal_address_is_kept_line_by_line_and_limited(admin: User) -> None:
    found = update_company(by=admin, postal_address="  Rua  das Flores 12 \n\n4050-262 Porto\n")
    assert found.postal_address == "Rua das Flores 12\n4050-262 Porto"
    assert found.postal_lines == ["Rua das Flores 12", "4050-262 Porto"]
    assert "postal_address" in found.set_fields
    with pytest.raises(Invalid) as caught:
        update_company(by=admin, postal_address="x\n" * 9)
    assert caught.value.errors[0].code == "postal_address_too_long"
    assert company_settings().postal_address == "Rua das Flores 12\n4050-262 Porto"


# The doors


def test_the_api_sets_reads_and_removes_the_logo_and_address(
    admin: User, viewer: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(admin)
    changed = client.patch(
        "/api/v1/company",
        {"postal_address": "Rua das Flores 12\n4050-262 Porto"},
        content_type="application/json",
    )
    assert changed.json()["postal_address"] == "Rua das Flores 12\n4050-262 Porto"
    response = client.post(
        "/api/v1/company/logo", {"logo": SimpleUploadedFile("l.png", png(), "image/png")}
    )
    assert response.status_code == 200, response.content
    url = response.json()["logo_url"]
    assert url.startswith("/company/logo/")
    assert api_client(viewer).get("/api/v1/company").json()["logo_url"] == url
    body = assert_problem(
        client.post(
            "/api/v1/company/logo", {"logo": SimpleUploadedFile("l.png", b"<svg/>", "image/png")}
        ),
        422,
    )
    assert body["errors"][0]["code"] == "logo_not_an_image"
    forbidden = api_client(viewer).post(
        "/api/v1/company/logo", {"logo": SimpleUploadedFile("l.png", png(), "image/png")}
    )
    assert_problem(forbidden, 403)
    assert client.delete("/api/v1/company/logo").json()["logo_url"] is None


def test_the_settings_page_uploads_shows_and_removes_the_logo(
    admin: User, web_client: Callable[[User], Client]
) -> None:
    client = web_client(admin)
    saved = client.post(
        "/settings/company/",
        {
            "postal_address": "Rua das Flores 12\r\n4050-262 Porto",
            "logo": SimpleUploadedFile("l.png", png()),
        },
    )
    assert saved.status_code == 302
    found = company_settings()
    assert found.postal_address == "Rua das Flores 12\n4050-262 Porto"
    page = client.get("/settings/company/").content.decode()
    assert f'src="{found.logo_url}"' in page
    assert "Rua das Flores 12\n4050-262 Porto</textarea>" in page
    refused = client.post(
        "/settings/company/",
        {"postal_address": "", "logo": SimpleUploadedFile("l.png", b"not an image")},
    )
    assert refused.status_code == 422
    assert "is not a PNG, JPEG, WebP or GIF image" in refused.content.decode()
    assert company_settings().postal_address == "Rua das Flores 12\n4050-262 Porto"  # nothing saved
    client.post("/settings/company/", {"postal_address": found.postal_address, "remove_logo": "on"})
    assert company_settings().logo_url == ""


def test_the_command_sets_the_address_and_the_logo(admin: User, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    out = StringIO()
    call_command(
        "company", "set", "--postal-address", r"Rua das Flores 12\n4050-262 Porto",
        "--logo", str(logo), stdout=out,
    )  # fmt: skip
    assert "Rua das Flores 12, 4050-262 Porto" in out.getvalue()
    shown = StringIO()
    call_command("company", "show", "--json", stdout=shown)
    found = json.loads(shown.getvalue())
    assert found["postal_address"] == "Rua das Flores 12\n4050-262 Porto"
    assert found["logo_url"].startswith("/company/logo/")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("company", "set", "--logo", str(tmp_path / "missing.png"), stdout=StringIO())
    call_command("company", "set", "--logo", "", stdout=StringIO())
    assert company_settings().logo_url == ""
