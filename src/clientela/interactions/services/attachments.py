"""Files sent with interactions: checked by content, kept under CLIENTELA_HOME by a random name.

Nothing the uploader sends decides where a file goes or how it is served: the file is written
to `CLIENTELA_HOME/attachments/<ab>/<random hex>` (0600, outside the static root the web
server serves), its kind is read from its first bytes (`sniff`), and the name it came with is
kept only to be shown and to name the download. Every file of an upload is checked before
any is kept: one refused file keeps them all out. Downloads go through an access check
(`get_visible_attachment`: 404 for a party the reader may not see). Erasure deletes the rows
and, once the erasure is committed, the files (`erase_attachments`).
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.core.errors import FieldError, Invalid, NotFound, TooLarge
from clientela.core.files import private_fd, private_folder
from clientela.core.ids import is_id
from clientela.interactions.models import Attachment, Interaction
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties

FIELD = "files"  # the form's and the API's name for the files sent
MAX_FILES = 10  # files per upload
NAME_MAX = 200
HEAD = 8192  # bytes read to tell a file's kind

# A kind: the content type it is stored and served with, and the name people know it by.
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "PDF"),
    "png": ("image/png", "PNG"),
    "jpeg": ("image/jpeg", "JPEG"),
    "gif": ("image/gif", "GIF"),
    "webp": ("image/webp", "WebP"),
    "text": ("text/plain", "text"),
    "csv": ("text/csv", "CSV"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (.docx)",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint (.pptx)",
    ),
}
_OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_TEXT_CONTROLS = frozenset("\t\n\r\f")


class Upload(Protocol):
    """What a file sent by a form or the API offers (Django's UploadedFile)."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...

    def seek(self, offset: int, whence: int = 0) -> int: ...

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class Checked:
    """A file that may be kept: its cleaned name, size and kind."""

    upload: Upload
    name: str
    size: int
    kind: str


def folder() -> Path:
    """Where attachments are kept: under CLIENTELA_HOME, never under a served root."""
    return Path(settings.HOME) / "attachments"


def path_of(stored_name: str) -> Path:
    return folder() / stored_name[:2] / stored_name


def allowed_kinds() -> list[str]:
    """The kinds accepted (CLIENTELA_ATTACHMENT_TYPES), in KINDS' order."""
    wanted = {k.strip().lower() for k in str(settings.CLIENTELA_ATTACHMENT_TYPES).split(",")}
    return [kind for kind in KINDS if kind in wanted]


def max_bytes() -> int:
    return int(settings.CLIENTELA_ATTACHMENT_MAX_BYTES)


def clean_name(name: str | None) -> str:
    """The uploaded file's own name, for display only: no folders, no control characters,
    at most NAME_MAX characters (the extension kept)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not base:
        return "file"
    if len(base) > NAME_MAX:
        _stem, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        base = base[: NAME_MAX - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return base[:NAME_MAX]


def _is_text(head: bytes, *, whole: bool) -> bool:
    """UTF-8 text without control characters (a cut character at the end of a head is fine),
    and not markup: HTML or SVG is never kept, even as text."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if whole or exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    if any(unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROLS for c in text):
        return False
    return not text.lstrip().startswith("<")


def _ooxml_kind(file: IO[bytes]) -> str | None:
    """docx, xlsx or pptx when the zip holds an Office document's parts; names only are read."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in _OOXML.items() if part in names), None)


def sniff(upload: Upload, name: str) -> str | None:
    """The file's kind from its first bytes (an Office file: its zip's parts); None when it
    is none of KINDS. The name only tells CSV from plain text, both text."""
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    kind: str | None = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = "gif"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    elif head.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(upload)  # type: ignore[arg-type]  # an UploadedFile is a binary file
        upload.seek(0)
    elif _is_text(head, whole=len(head) < HEAD):
        kind = "csv" if name.lower().endswith(".csv") else "text"
    return kind


def check_uploads(uploads: Sequence[Upload]) -> list[Checked]:
    """Each file's name, size and kind; Invalid naming every refused file (nothing is kept)."""
    if len(uploads) > MAX_FILES:
        raise Invalid(
            FieldError(
                FIELD,
                len(uploads),
                _("at most %(max)s files can be sent at once"),
                code="attachments_too_many",
                params={"max": MAX_FILES},
            )
        )
    limit, allowed = max_bytes(), allowed_kinds()
    checked, errors = [], []
    for upload in uploads:
        name = clean_name(upload.name)
        size = int(upload.size or 0)
        kind = None
        if size == 0:
            errors.append(FieldError(FIELD, name, _("is empty"), code="attachment_empty"))
            continue
        if size > limit:
            errors.append(
                FieldError(
                    FIELD,
                    name,
                    _("is %(size)s bytes; a file may have at most %(max)s bytes"),
                    code="attachment_too_large",
                    params={"size": size, "max": limit},
                )
            )
            continue
        kind = sniff(upload, name)
        if kind not in allowed:
            errors.append(
                FieldError(
                    FIELD,
                    name,
                    _("is not a file of an accepted kind (%(allowed)s), whatever its name says"),
                    code="attachment_type_forbidden",
                    params={"allowed": ", ".join(KINDS[k][1] for k in allowed)},
                )
            )
            continue
        assert kind is not None  # noqa: S101  (allowed holds kinds only)
        checked.append(Checked(upload, name, size, kind))
    if errors:
        raise Invalid(errors)
    return checked


def attach_files(
    interaction: Interaction, uploads: Sequence[Upload], *, by: User
) -> list[Attachment]:
    """Keep the files with the interaction, in the caller's transaction; all or none.

    The caller has found the interaction among those `by` may see. A file written before a
    failure is removed again; the rows go with the transaction.
    """
    require_write(by)
    checked = check_uploads(uploads)
    written: list[Path] = []
    made = []
    try:
        for item in checked:
            stored = secrets.token_hex(16)
            path = path_of(stored)
            private_folder(path.parent)
            digest = hashlib.sha256()
            with open(private_fd(path), "wb") as out:
                written.append(path)
                item.upload.seek(0)
                for chunk in item.upload.chunks():
                    digest.update(chunk)
                    out.write(chunk)
            made.append(
                Attachment.objects.create(
                    interaction=interaction,
                    name=item.name,
                    stored_name=stored,
                    content_type=KINDS[item.kind][0],
                    size=item.size,
                    sha256=digest.hexdigest(),
                    created_by=by,
                )
            )
    except BaseException:
        _remove(written)
        raise
    return made


def get_visible_attachment(user: User, interaction_id: int, attachment_id: int) -> Attachment:
    """The attachment, if its interaction's party is one the user may see; else NotFound."""
    found = None
    if is_id(interaction_id) and is_id(attachment_id):
        found = (
            Attachment.objects.filter(
                pk=attachment_id,
                interaction_id=interaction_id,
                interaction__party__in=visible_parties(user),
            )
            .only("id", "name", "stored_name", "content_type", "size", "interaction_id")
            .first()
        )
    if found is None or not path_of(found.stored_name).is_file():
        raise NotFound(
            _("attachment %(id)s not found"),
            code="attachment_not_found",
            params={"id": attachment_id},
        )
    return found


def open_attachment(attachment: Attachment) -> IO[bytes]:
    """The kept file, open for reading (the response closes it)."""
    return open(path_of(attachment.stored_name), "rb")


def attachments_by_interaction(ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """The attachments of these interactions, by interaction id, in upload order."""
    found: dict[int, list[Attachment]] = {}
    wanted = sorted(set(ids))
    if not wanted:
        return found
    for row in Attachment.objects.filter(interaction_id__in=wanted).order_by("id"):
        found.setdefault(row.interaction_id, []).append(row)
    return found


# --- the privacy export and erasure --------------------------------------------------------


def archive_path(attachment: Attachment) -> str:
    """Where the file is inside a privacy export's zip."""
    return f"attachments/{attachment.pk}-{attachment.name}"


def _of_party(party: Party) -> Any:
    return Attachment.objects.filter(interaction__party=party).order_by("id")


def attachment_listing(party: Party) -> Iterator[dict[str, Any]]:
    """The party's files as the privacy export lists them: what, when, how big, and where the
    file is in the export's zip (the JSON export gives the address to download it from)."""
    for row in _of_party(party).select_related("interaction").iterator(chunk_size=500):
        yield {
            "interaction_occurred_at": row.interaction.occurred_at,
            "interaction_subject": row.interaction.subject,
            "name": row.name,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
            "uploaded_at": row.created_at,
            "archive_path": archive_path(row),
            "download": reverse("interactions:attachment", args=[row.interaction_id, row.pk]),
        }


def attachment_files(party: Party) -> Iterator[tuple[str, Path]]:
    """(path inside the export's zip, file on disk) of each of the party's files still kept."""
    for row in _of_party(party).iterator(chunk_size=500):
        path = path_of(row.stored_name)
        if path.is_file():
            yield archive_path(row), path


ERASED_COLUMNS = ("name", "stored_name", "content_type", "sha256")


def erase_attachments(party: Party) -> None:
    """Delete the party's attachments: the rows now, the files once the erasure commits."""
    rows = _of_party(party)
    discard(list(rows.values_list("stored_name", flat=True)))
    rows.delete()


def discard(stored_names: Sequence[str]) -> None:
    """Remove these files after the transaction commits (at once outside one)."""
    paths = [path_of(name) for name in stored_names]
    if paths:
        transaction.on_commit(lambda: _remove(paths))


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def refuse_oversized(declared: str | None) -> None:
    """TooLarge (413) for a request declaring more bytes than MAX_FILES of the largest size
    (and a form's worth of text) could be: refused before its files are read."""
    limit = MAX_FILES * max_bytes() + 2**20
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(
            _("is larger than %(limit)s bytes; send at most %(limit)s bytes per request"),
            code="body_too_large",
            params={"limit": limit},
        )
