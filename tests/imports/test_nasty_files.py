"""Files as they arrive from real spreadsheets and shops: each gets a clear report."""

from __future__ import annotations

import pytest

from clientela.core.errors import Invalid
from clientela.parties.models import Party
from tests.imports.conftest import Importer, Writer

HEADER = "Nome;Sobrenome;E-mail\r\n"


@pytest.mark.django_db
def test_a_utf8_file_with_a_bom_and_semicolons_is_read(write: Writer, run_import: Importer) -> None:
    path = write(
        "p.csv",
        b"\xef\xbb\xbf" + "Nome;Sobrenome;E-mail\r\nJosé;Müller;jose@example.com\r\n".encode(),
    )
    summary = run_import("parties", path)
    assert summary.created == 1
    party = Party.objects.get()
    assert (party.given_name, party.family_name) == ("José", "Müller")


@pytest.mark.django_db
def test_tabs_and_a_mix_of_crlf_and_lf_lines_are_read(write: Writer, run_import: Importer) -> None:
    path = write("p.tsv", "First name\tLast name\r\nAna\tSilva\nRui\tCosta\r\n")
    summary = run_import("parties", path)
    assert summary.created == 2


@pytest.mark.django_db
def test_a_quoted_cell_may_hold_line_breaks(write: Writer, run_import: Importer) -> None:
    path = write("p.csv", 'given_name,notes\nAna,"line one\nline two"\nRui,x\n')
    summary = run_import("parties", path)
    assert summary.created == 2
    assert Party.objects.get(given_name="Ana").notes == "line one\nline two"


@pytest.mark.django_db
def test_an_unclosed_quote_is_reported_on_its_row_and_nothing_is_written(
    write: Writer, run_import: Importer
) -> None:
    path = write("p.csv", 'given_name,notes\nAna,ok\nRui,"never closed\nEva,x\n')
    summary = run_import("parties", path)
    assert not summary.written
    assert Party.objects.count() == 0
    assert summary.problems[0].row == 3
    assert "not closed" in summary.problems[0].text()


@pytest.mark.django_db
def test_nul_bytes_are_reported_with_their_line(write: Writer, run_import: Importer) -> None:
    path = write("p.csv", b"given_name,notes\nAna,ok\nRui,bad\x00cell\n")
    summary = run_import("parties", path)
    assert Party.objects.count() == 0
    assert summary.problems[0].row == 3
    assert "NUL" in summary.problems[0].text()


@pytest.mark.django_db
def test_invalid_utf8_is_reported_on_its_row_with_a_hint(
    write: Writer, run_import: Importer
) -> None:
    path = write("p.csv", b"given_name\nAna\n" + "Jos\xe9\n".encode("latin-1"))
    summary = run_import("parties", path)
    assert Party.objects.count() == 0
    assert summary.problems[0].row == 3
    assert "--encoding" in summary.problems[0].text()


@pytest.mark.django_db
def test_a_latin1_file_reads_with_its_encoding(write: Writer, run_import: Importer) -> None:
    path = write("p.csv", "Nombre;Apellido\nJosé;Muñoz\n".encode("latin-1"))
    summary = run_import("parties", path, encoding="latin-1")
    assert summary.created == 1
    assert Party.objects.get().family_name == "Muñoz"


@pytest.mark.django_db
def test_two_columns_for_one_field_are_refused_before_anything_is_read(
    write: Writer, run_import: Importer
) -> None:
    path = write("p.csv", "Email,E-mail\na@example.com,b@example.com\n")
    with pytest.raises(Invalid) as caught:
        run_import("parties", path)
    assert "both go to email" in caught.value.errors[0].text()


@pytest.mark.django_db
def test_a_required_column_missing_is_named(write: Writer, run_import: Importer) -> None:
    path = write("o.csv", "external_id,total\nO1,5\n")
    with pytest.raises(Invalid) as caught:
        run_import("orders", path)
    messages = " ".join(e.text() for e in caught.value.errors)
    assert "ordered_at" in messages
    assert "currency" in messages


@pytest.mark.django_db
def test_cells_beyond_the_header_are_reported(write: Writer, run_import: Importer) -> None:
    path = write("p.csv", "given_name,family_name\nAna,Silva,extra\n")
    summary = run_import("parties", path)
    assert Party.objects.count() == 0
    assert "header has 2 columns" in summary.problems[0].text()


@pytest.mark.django_db
def test_an_empty_file_is_refused(write: Writer, run_import: Importer) -> None:
    with pytest.raises(Invalid) as caught:
        run_import("parties", write("p.csv", b""))
    assert caught.value.errors[0].text() == "is empty"


@pytest.mark.django_db
def test_a_10_mb_cell_is_refused_by_its_field_rule_not_by_the_reader(
    write: Writer, run_import: Importer
) -> None:
    path = write("p.csv", "given_name,notes\nAna," + "x" * (10 * 1024 * 1024) + "\n")
    summary = run_import("parties", path)
    assert Party.objects.count() == 0
    assert summary.problems[0].column == "notes"
    assert "at most 20000 characters" in summary.problems[0].text()
    assert len(summary.problems[0].value) < 300


@pytest.mark.django_db
def test_formula_cells_are_kept_as_text_and_the_export_quote_comes_off(
    write: Writer, run_import: Importer
) -> None:
    path = write("p.csv", 'given_name,family_name,notes\n=HYPERLINK("x"),\'=SUM(A1),@cmd\n')
    summary = run_import("parties", path)
    assert summary.created == 1
    party = Party.objects.get()
    assert (party.given_name, party.family_name, party.notes) == (
        '=HYPERLINK("x")',
        "=SUM(A1)",
        "@cmd",
    )


@pytest.mark.django_db
def test_a_formula_in_a_number_column_is_a_row_problem(write: Writer, run_import: Importer) -> None:
    path = write(
        "o.csv",
        "external_id,party_email,ordered_at,total,currency\n"
        "O1,a@example.com,2024-01-01T00:00Z,=1+1,EUR\n",
    )
    summary = run_import("orders", path)
    assert any(p.column == "total" and p.value == "=1+1" for p in summary.problems)


@pytest.mark.django_db
def test_a_utf16_file_with_its_bom_is_read(write: Writer, run_import: Importer) -> None:
    path = write("p.csv", "Nome;Sobrenome\r\nJosé;Müller\r\n".encode("utf-16"))
    summary = run_import("parties", path)
    assert summary.created == 1, summary.problems
    assert Party.objects.get().family_name == "Müller"
