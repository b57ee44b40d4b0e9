"""The Portuguese, Spanish and Italian catalogues are complete, compiled and used by the pages."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ValidationError

import clientela
from clientela.accounts.models import Role, User
from clientela.consent.models import TokenPurpose
from clientela.consent.services import issue_token
from clientela.core.errors import Conflict, FieldError
from clientela.core.pages import pydantic_messages, with_value
from clientela.interactions.models import Channel, Direction
from clientela.interactions.schemas import InteractionCreate
from clientela.interactions.services import log_interaction
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]

LOCALE = Path(clientela.__file__).parent / "locale"
LANGUAGES = ["pt", "es", "it"]
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$')


@dataclass
class Entry:
    """One message of a .po file: its flags, context, ids and translations."""

    flags: set[str] = field(default_factory=set)
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    strings: list[str] = field(default_factory=list)


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header fields and the messages of a .po file; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry, target = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, target, ast.literal_eval(line))
            else:
                match = _KEYWORD.match(line)
                assert match, f"{path}: cannot read {line!r}"
                target = match.group(1)
                if target.startswith("msgstr"):
                    entry.strings.append("")
                _append(entry, target, ast.literal_eval(match.group(3)))
        if target:
            entries.append(entry)
    header, messages = entries[0], entries[1:]
    assert header.msgid == "", f"{path}: the first entry is not the header"
    fields = dict(line.split(": ", 1) for line in header.strings[0].splitlines() if ": " in line)
    return fields, messages


def _append(entry: Entry, target: str, text: str) -> None:
    if target == "msgctxt":
        entry.context = (entry.context or "") + text
    elif target == "msgid":
        entry.msgid += text
    elif target == "msgid_plural":
        entry.plural = (entry.plural or "") + text
    else:
        entry.strings[-1] += text


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def describe(entry: Entry) -> str:
    return entry.msgid if entry.context is None else f"{entry.context} | {entry.msgid}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    _header, messages = read_po(catalogue(language))

    untranslated = [describe(e) for e in messages if not all(e.strings)]

    assert messages
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_left_fuzzy(language: str) -> None:
    _header, messages = read_po(catalogue(language))

    assert [describe(e) for e in messages if "fuzzy" in e.flags] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_as_many_forms_as_the_header_declares(language: str) -> None:
    header, messages = read_po(catalogue(language))
    declared = re.search(r"nplurals=(\d+)", header["Plural-Forms"])
    assert declared

    wrong = [describe(e) for e in messages if e.plural and len(e.strings) != int(declared[1])]

    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept_in_every_translation(language: str) -> None:
    _header, messages = read_po(catalogue(language))
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}|</?[a-z][^>]*>")

    changed = []
    for e in messages:
        expected = {*placeholder.findall(e.msgid), *placeholder.findall(e.plural or "")}
        for text in e.strings:
            found = set(placeholder.findall(text))
            # a singular form may leave out the count ("one member" for "%(counter)s member")
            if not found <= expected or (not e.plural and found != expected):
                changed.append(describe(e))

    assert changed == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_holds_every_translation_of_the_po_file(language: str) -> None:
    _header, messages = read_po(catalogue(language))
    with catalogue(language).with_suffix(".mo").open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)

    stale = []
    for e in messages:
        if e.plural:
            got = [mo.ngettext(e.msgid, e.plural, n) for n in (1, 2)]
            ok = e.strings[0] in got[0] and got[1] in e.strings
        elif e.context is not None:
            ok = mo.pgettext(e.context, e.msgid) == e.strings[0]
        else:
            ok = mo.gettext(e.msgid) == e.strings[0]
        if not ok:
            stale.append(describe(e))

    assert stale == []


def test_a_reused_interaction_id_is_explained_in_portuguese(sales_a: User) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)
    first = InteractionCreate(
        party_id=party.pk,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        external_id="call-7",
        subject="A call",
    )
    log_interaction(first, by=sales_a)
    other = first.model_copy(update={"subject": "Another call"})

    with pytest.raises(Conflict) as refused:
        log_interaction(other, by=sales_a)
    with translation.override("pt"):
        text = refused.value.detail

    assert refused.value.code == "interaction_external_id_taken"
    assert text == "este id externo já é usado por outra interação"


def test_a_field_of_a_merge_that_cannot_be_chosen_is_explained_in_spanish() -> None:
    error = FieldError(
        "choices.password", "password", _("is not a field to choose"), code="merge_field_unknown"
    )

    with translation.override("es"):
        shown = with_value(error)
        answer = error.as_dict()

    assert shown == "no es un campo que se pueda elegir (escribiste “password”)"
    assert answer["code"] == "merge_field_unknown"
    assert answer["message"] == "no es un campo que se pueda elegir"


def test_a_bad_quiet_hours_time_is_explained_in_italian() -> None:
    class QuietHours(BaseModel):
        quiet_start: time

    with pytest.raises(ValidationError) as refused:
        QuietHours.model_validate({"quiet_start": "25:99"})
    with translation.override("it"):
        ((error, shown),) = pydantic_messages(refused.value)

    assert (error.field, error.code) == ("quiet_start", "time_parsing")
    assert shown == "deve essere un'ora nel formato HH:MM (hai inserito “25:99”)"


def test_a_stored_problem_is_shown_in_the_language_of_whoever_reads_it() -> None:
    with translation.override("pt"):
        stored = FieldError(
            "corrects_id", 7, _("is not an interaction of this party"), code="x"
        ).as_record()

    with translation.override("it"):
        text = FieldError.from_record(stored).text()

    assert stored["message"] == "is not an interaction of this party"
    assert text == "non è un'interazione di questo soggetto"


def test_a_refused_sign_in_is_explained_in_the_browsers_language(admin: User) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="pt").post(
        "/sign-in/", {"email": admin.email, "password": "wrong"}
    )

    body = response.content.decode()
    assert response.status_code == 401
    assert 'data-code="sign_in_refused"' in body
    assert "O e-mail ou a palavra-passe não estão certos" in body


def portuguese_user(role: str = Role.ADMIN) -> User:
    return factories.make_user(role=role, language="pt")


def test_the_analytics_dashboard_speaks_the_users_language(web_client: WebClient) -> None:
    response = web_client(portuguese_user(Role.MANAGER)).get("/analytics/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Análise de clientes</h1>" in page
    assert ">Segmentos</a>" in page  # the menu


def test_the_segment_list_speaks_the_users_language(web_client: WebClient) -> None:
    response = web_client(portuguese_user(Role.MARKETING)).get("/segments/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Segmentos</h1>" in page
    assert "Ainda não há segmentos." in page


def test_the_privacy_queue_speaks_the_users_language(web_client: WebClient) -> None:
    response = web_client(portuguese_user(Role.MANAGER)).get("/privacy-requests/")

    assert response.status_code == 200
    assert "<h1>Pedidos de privacidade</h1>" in response.content.decode()


def test_the_import_page_speaks_the_browsers_language(admin: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="pt")
    client.force_login(admin)

    response = client.get("/imports/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Importação</h1>" in page
    assert "O ficheiro contém" in page
    assert "Ainda não há importações." in page


def test_the_duplicates_queue_speaks_the_users_language(web_client: WebClient) -> None:
    response = web_client(portuguese_user()).get("/duplicates/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Prováveis duplicados</h1>" in page
    assert "Não há pares por rever." in page


def test_the_preference_centre_speaks_the_customers_language() -> None:
    party = factories.make_party(email="ana@example.pt", language="pt")
    token = issue_token(party, purpose=TokenPurpose.PREFERENCES)

    response = Client().get(f"/preferences/{token}/")

    assert response.status_code == 200
    assert "<h1>As suas preferências</h1>" in response.content.decode()
