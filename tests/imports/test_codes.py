"""Every problem an import reports carries a stable code, and a message whose values are
parameters (so that it can be translated), never text with the values already in it."""

from __future__ import annotations

import io

import pytest

from clientela.accounts.models import User
from clientela.core.errors import Invalid, NotFound
from clientela.imports.models import ImportStatus
from clientela.imports.services import (
    get_run,
    parse_overrides,
    start,
    store_upload,
    uploads,
)
from clientela.imports.services.mapping import ORDERS, PARTIES, build_mapping
from clientela.imports.services.reading import open_table
from tests.factories import make_party, make_user
from tests.imports.conftest import Importer, Writer


def codes(exc: Invalid) -> list[str]:
    return [error.code for error in exc.errors]


def test_mapping_problems_have_codes() -> None:
    with pytest.raises(Invalid) as caught:
        build_mapping(ORDERS, ["total"], {"nope": "total", "total": "colour"})
    assert codes(caught.value) == [
        "map_column_unknown",
        "map_field_unknown",
        "required_column_missing",
        "required_column_missing",
        "required_column_missing",
        "required_column_missing",
    ]
    unknown_field = caught.value.errors[1]
    assert unknown_field.message == "must name one of: %(fields)s"
    assert "ordered_at" in unknown_field.params["fields"]
    missing = caught.value.errors[2]
    assert missing.params == {"fields": "external_id", "field": "external_id"}
    assert "--map COLUMN=external_id" in missing.text()


def test_two_columns_for_one_field_name_both_by_parameters() -> None:
    with pytest.raises(Invalid) as caught:
        build_mapping(PARTIES, ["Email", "E-mail"])
    error = caught.value.errors[0]
    assert error.code == "columns_share_a_field"
    assert error.params == {
        "position": 2,
        "first": 1,
        "first_name": "'Email'",
        "field": "email",
        "column": "E-mail",
    }


def test_a_map_option_without_an_equals_sign_has_a_code() -> None:
    with pytest.raises(Invalid) as caught:
        parse_overrides(["total"])
    assert codes(caught.value) == ["map_syntax"]


@pytest.mark.parametrize(
    ("content", "options", "code"),
    [
        (b"", {}, "file_empty"),
        (b"a\n1\n", {"encoding": "klingon"}, "encoding_unknown"),
        (b"a\n1\n", {"format": "xlsx"}, "format_unknown"),
        (b"caf\xe9\n1\n", {}, "bytes_not_in_encoding"),
    ],
)
def test_a_file_that_cannot_be_read_has_a_code(
    content: bytes, options: dict[str, str], code: str
) -> None:
    with pytest.raises(Invalid) as caught:
        open_table(io.BytesIO(content), name="f.csv", **options)
    assert codes(caught.value) == [code]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "code", "params"),
    [
        ("p.csv", b"given_name\nAna\nRui\x00\n", "nul_character", {}),
        ("p.csv", b"given_name\nAna\nJos\xe9\n", "bytes_not_in_encoding", {}),
        ("p.csv", b'given_name\nAna\n"Rui\n', "quote_not_closed", {}),
        (
            "p.ndjson",
            b'{"given_name": "Ana"}\n\n{"given_name": \n',
            "json_invalid",
            {"position": 16},
        ),
        ("p.ndjson", b'{"given_name": "Ana"}\n\n["Rui"]\n', "json_not_object", {}),
        ("p.csv", b"given_name\nAna\nRui,Costa\n", "too_many_cells", {"cells": 2, "columns": 1}),
    ],
)
def test_a_row_that_cannot_be_read_has_a_code(
    write: Writer,
    run_import: Importer,
    name: str,
    content: bytes,
    code: str,
    params: dict[str, int],
) -> None:
    summary = run_import("parties", write(name, content))
    assert [(p.row, p.code, dict(p.params)) for p in summary.problems] == [(3, code, params)]
    assert summary.problems[0].text()  # a message for every code


@pytest.mark.django_db
def test_party_rows_problems_have_codes_and_parameters(write: Writer, run_import: Importer) -> None:
    existing = make_party(email="ana@example.com", given_name="Ana")
    path = write(
        "p.csv",
        "given_name,email,kind,country,birthday,owner,team\n"
        "Anabela,ana@example.com,,,,,\n"
        "Rui,,alien,,,,\n"
        "Eva,,,Atlantis,,,\n"
        "Teo,,,,31/02/1990,,\n"
        "Lia,,,,,nobody@example.com,\n"
        "Bia,,,,,,Nowhere\n",
    )
    summary = run_import("parties", path)
    found = [(p.row, p.column, p.code) for p in summary.problems]
    assert found == [
        (2, "email", "duplicate_party"),
        (3, "kind", "party_kind_unknown"),
        (4, "country", "country_unknown"),
        (5, "birthday", "date_impossible"),  # 31/02: the column reads day-first
        (6, "owner", "owner_unknown"),
        (7, "team", "team_unknown"),
    ]
    duplicate = summary.problems[0]
    assert duplicate.params == {"party": existing.pk, "how": "email"}
    # The stored reason names no option: the command and the page each add their own way.
    assert duplicate.as_record()["message"] == "is a duplicate of party #%(party)s (same %(how)s)"


@pytest.mark.django_db
def test_party_look_up_problems_have_codes(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1", email="one@example.com")
    make_party(external_id="C2")
    path = write(
        "i.csv",
        "party_external_id,party_email,party_id,channel,direction,subject\n"
        "C9,,,email,inbound,Hi\n"
        ",,x,email,inbound,Hi\n"
        "C2,one@example.com,,email,inbound,Hi\n",
    )
    summary = run_import("interactions", path)
    assert [(p.row, p.code) for p in summary.problems] == [
        (2, "party_not_visible"),
        (3, "int_parsing"),
        (4, "parties_disagree"),
    ]
    assert "party_external_id → #" in summary.problems[2].text()


@pytest.mark.django_db
def test_a_row_the_schema_refuses_keeps_the_schemas_code(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write("i.csv", "party_external_id,channel,direction\nC1,pigeon,inbound\n")
    summary = run_import("interactions", path)
    assert [(p.column, p.code) for p in summary.problems] == [("channel", "enum")]


@pytest.mark.django_db
def test_a_started_web_import_cannot_be_started_again(manager: User) -> None:
    upload = io.BytesIO(b"given_name\nAna\n")
    run = store_upload(upload, name="p.csv", kind="parties", by=manager)
    start(run, by=manager)
    assert run.status == ImportStatus.DONE
    with pytest.raises(Invalid) as caught:
        start(run, by=manager)
    assert codes(caught.value) == ["import_already_started"]
    with pytest.raises(Invalid) as again:
        uploads.choose_mapping(run, {}, skip_invalid=False, upsert=False, by=manager)
    assert codes(again.value) == ["import_already_started"]


@pytest.mark.django_db
def test_web_import_refusals_have_codes(manager: User) -> None:
    with pytest.raises(Invalid) as caught:
        store_upload(io.BytesIO(b"a\n1\n"), name="x.csv", kind="potatoes", by=manager)
    assert codes(caught.value) == ["import_kind_unknown"]
    assert caught.value.errors[0].params == {"kinds": "parties, orders, interactions, activities"}
    run = store_upload(io.BytesIO(b"given_name\nAna\n"), name="p.csv", kind="parties", by=manager)
    stranger = make_user(email="stranger@example.com", team="Elsewhere")
    with pytest.raises(NotFound) as missing:
        get_run(stranger, run.pk)
    assert (missing.value.code, missing.value.params) == ("import_not_found", {"id": run.pk})
