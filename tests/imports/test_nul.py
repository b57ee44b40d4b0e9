"""A NUL character in an imported file is a rejected row naming where it is (a CSV line holding
one is reported by the line reader, see test_nasty_files); NDJSON writes it as \\u0000. A CSV
export never writes one: a NUL stored before it was refused is dropped, so "\\x00=1" is
neutralised like "=1"."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.core.cells import neutralise
from clientela.imports.services.exporting import write_export
from clientela.parties.models import Party
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer


@pytest.mark.django_db
def test_a_nul_in_an_ndjson_value_rejects_the_row_naming_its_field(
    write: Writer, run_import: Importer
) -> None:
    rows = [{"given_name": "Ana"}, {"given_name": "Rui", "custom": {"nick": "=1\x00"}}]
    path = write("p.ndjson", "".join(json.dumps(r) + "\n" for r in rows))
    summary = run_import("parties", path)
    assert summary.rejected == 1
    problem = summary.problems[0]
    assert (problem.row, problem.column, problem.code) == (2, "custom.nick", "nul_character")
    assert not Party.objects.exists()  # all or nothing


@pytest.mark.django_db
def test_a_nul_in_an_order_lines_cell_rejects_the_row(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1")
    lines = json.dumps([{"product": "Tea\x00", "quantity": 1, "unit_price": 2}])
    cell = '"' + lines.replace('"', '""') + '"'
    header = "external_id,party_external_id,ordered_at,total,currency,lines\n"
    path = write("o.csv", header + f"O1,C1,2024-03-01T10:00:00Z,2,EUR,{cell}\n")
    summary = run_import("orders", path)
    assert summary.rejected == 1
    assert (summary.problems[0].column, summary.problems[0].code) == ("lines", "text_nul")
    assert not Order.objects.exists()


@pytest.mark.parametrize(("value", "cell"), [("\x00=1", "'=1"), ("a\x00b", "ab"), ("\x00", "")])
def test_a_nul_is_dropped_before_a_cell_is_neutralised(value: str, cell: str) -> None:
    assert neutralise(value) == cell


@pytest.mark.django_db
def test_a_stored_nul_prefixed_formula_is_not_exported_raw(admin: User) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite can hold a NUL stored before input refused it")
    make_party(given_name="\x00=1+1", family_name="Silva")
    out = io.StringIO()
    write_export("parties", admin, out)
    assert "\x00" not in out.getvalue()
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["given_name"] == "'=1+1"
