"""Files in the customer's own formats: dates in any of the common orders (detected per column,
or told), times without an offset in the company's time zone, amounts with decimal commas,
thousands separators and currency signs, local phone numbers; and a column that reads two ways
fails the whole file, naming it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from clientela.accounts.models import User
from clientela.accounts.services import update_company
from clientela.commerce.models import Order
from clientela.core.errors import Invalid, Problem
from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services.formats import DMY, ISO, moment_reader
from clientela.interactions.models import Interaction
from clientela.parties.models import ContactKind, ContactPoint, KeyDate, Party
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer

pytestmark = pytest.mark.django_db


def _at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _orders() -> dict[str, tuple[datetime, Decimal, str]]:
    return {o.external_id: (o.ordered_at, o.total, o.currency) for o in Order.objects.all()}


@pytest.fixture
def portugal(admin: User) -> None:
    update_company(by=admin, country="PT", time_zone="Europe/Lisbon", reporting_currency="EUR")


@pytest.fixture
def new_york(admin: User) -> None:
    update_company(by=admin, country="US", time_zone="America/New_York")


# A Portuguese shop's files: ";", DD/MM/YYYY, 1.234,56 €, local phones, Windows-1252.

PT_PARTIES = (
    "Código;Nome;Apelido;Email;Telemóvel;Morada;Localidade;País;Data de nascimento\n"
    "C1;João;Gonçalves;joao@example.pt;912 345 678;Rua Augusta 1;Lisboa;Portugal;25/12/1980\n"
    "C2;Inês;Araújo;ines@example.pt;+351 936 111 222;Rua do Ouro 5;Porto;Portugal;03/04/1992\n"
    "C3;María;López;maria@example.es;612 345 678;Calle Mayor 1;Madrid;Espanha;17.05.1975\n"
)
PT_ORDERS = (
    "Encomenda;Cliente;Data;Valor;Moeda\n"
    "E1;C1;25/03/2024 14:30;1.234,56 €;EUR\n"
    "E2;C1;01/04/2024;12,50 €;EUR\n"
    "E3;C2;31/12/2023 23:59:59;€ 7;EUR\n"
    "E4;C3;15/08/2024;1 000,00 EUR;EUR\n"
)


def test_a_portuguese_parties_file_imports_its_dates_and_local_phones(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    path = write("clientes.csv", PT_PARTIES.encode("cp1252"))
    summary = run_import("parties", path, encoding="cp1252")
    assert (summary.created, summary.rejected) == (3, 0), summary.problems
    joao = Party.objects.get(external_id="C1")
    assert joao.given_name == "João"
    phones = dict(
        ContactPoint.objects.filter(kind=ContactKind.PHONE).values_list(
            "party__external_id", "normalized"
        )
    )
    # The Spanish customer's local number is read in her address's country, not the company's.
    assert phones == {"C1": "+351912345678", "C2": "+351936111222", "C3": "+34612345678"}
    birthdays = {
        k.party.external_id: (k.year, k.month, k.day)
        for k in KeyDate.objects.select_related("party")
    }
    assert birthdays == {"C1": (1980, 12, 25), "C2": (1992, 4, 3), "C3": (1975, 5, 17)}


def test_a_portuguese_orders_file_imports_its_times_and_amounts(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    for ref in ("C1", "C2", "C3"):
        make_party(external_id=ref)
    path = write("encomendas.csv", PT_ORDERS.encode("cp1252"))
    summary = run_import("orders", path, encoding="cp1252")
    assert (summary.created, summary.rejected) == (4, 0), summary.problems
    assert _orders() == {
        # 25 March 2024 is winter time in Lisbon (UTC+0); 1 April is summer time (UTC+1).
        "E1": (_at(2024, 3, 25, 14, 30), Decimal("1234.56"), "EUR"),
        "E2": (_at(2024, 3, 31, 23, 0), Decimal("12.50"), "EUR"),
        "E3": (_at(2023, 12, 31, 23, 59, 59), Decimal("7.00"), "EUR"),
        "E4": (_at(2024, 8, 14, 23, 0), Decimal("1000.00"), "EUR"),
    }


def test_the_row_by_row_path_reads_the_same_as_the_column_check(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    # A stray extra cell sends row E2 down the per-row check; the others take the column check.
    for ref in ("C1", "C2", "C3"):
        make_party(external_id=ref)
    odd = PT_ORDERS.replace("01/04/2024;12,50 €;EUR", "01/04/2024;12,50 €;EUR;")
    summary = run_import("orders", write("e.csv", odd.encode("cp1252")), encoding="cp1252")
    assert summary.created == 4, summary.problems
    assert _orders()["E2"] == (_at(2024, 3, 31, 23, 0), Decimal("12.50"), "EUR")


# A US shop's export: MM/DD/YYYY, "$", naive times.

US_ORDERS = (
    "Order,Customer,Date,Total,Currency\n"
    '1001,C1,03/25/2024 2:30 PM,"$1,234.56",USD\n'
    "1002,C1,12/01/2024 09:15,$12.00,USD\n"
    "1003,C1,07/04/2024,$5,USD\n"
)


def test_a_us_shop_export_imports_its_times_and_dollars(
    new_york: None, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    summary = run_import("orders", write("orders_export.csv", US_ORDERS))
    assert (summary.created, summary.rejected) == (3, 0), summary.problems
    assert _orders() == {
        "1001": (_at(2024, 3, 25, 18, 30), Decimal("1234.56"), "USD"),  # EDT, UTC-4
        "1002": (_at(2024, 12, 1, 14, 15), Decimal("12.00"), "USD"),  # EST, UTC-5
        "1003": (_at(2024, 7, 4, 4, 0), Decimal("5.00"), "USD"),
    }


def test_a_plain_iso_date_means_the_start_of_that_day_in_the_company_zone(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    content = "external_id,party_external_id,ordered_at,total,currency\nO1,C1,1997-03-25,9.99,EUR\n"
    summary = run_import("orders", write("o.csv", content))
    assert summary.created == 1, summary.problems
    assert _orders()["O1"][0] == _at(1997, 3, 25)


# Ambiguous and mixed columns fail the whole file, naming the column and the option.

AMBIGUOUS = "Encomenda;Cliente;Data;Valor;Moeda\nE1;C1;03/04/2024;10;EUR\nE2;C1;05/06/2024;10;EUR\n"


def test_an_ambiguous_date_column_fails_whole_naming_it(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    with pytest.raises(Invalid) as caught:
        run_import("orders", write("e.csv", AMBIGUOUS))
    [error] = caught.value.errors
    assert (error.code, error.params["column"]) == ("date_format_ambiguous", "Data")
    assert "--date-format" in error.text()
    assert not Order.objects.exists()


def test_an_ambiguous_column_imports_once_its_format_is_given(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    summary = run_import("orders", write("e.csv", AMBIGUOUS), date_format="DD/MM/YYYY")
    assert summary.created == 2
    assert _orders()["E1"][0] == _at(2024, 4, 2, 23, 0)  # 3 April, Lisbon summer time


def test_the_whole_column_decides_not_only_its_first_rows(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    rows = [f"E{i};C1;0{1 + i % 9}/0{1 + i % 7}/2024;10;EUR" for i in range(2500)]
    rows.append("E2500;C1;11/30/2024;10;EUR")  # the one row that says: month first
    content = "Encomenda;Cliente;Data;Valor;Moeda\n" + "\n".join(rows) + "\n"
    summary = run_import("orders", write("e.csv", content))
    assert summary.created == 2501, summary.problems[:3]
    assert Order.objects.get(external_id="E2500").ordered_at == _at(2024, 11, 30)


def test_a_column_mixing_day_first_and_month_first_fails_naming_both(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    content = (
        "Encomenda;Cliente;Data;Valor;Moeda\nE1;C1;25/03/2024;10;EUR\nE2;C1;03/25/2024;10;EUR\n"
    )
    with pytest.raises(Invalid) as caught:
        run_import("orders", write("e.csv", content))
    [error] = caught.value.errors
    assert error.code == "date_formats_mixed"
    assert (error.params["day_first"], error.params["month_first"]) == ("25/03/2024", "03/25/2024")


# Amounts


@pytest.mark.parametrize(
    ("locale", "cell", "total"),
    [("pt-PT", "1.234", "1234.00"), ("en-US", "1,234", "1234.00"), ("en-US", "1.5", "1.50")],
)
def test_the_locale_says_how_amounts_are_written(
    portugal: None, write: Writer, run_import: Importer, locale: str, cell: str, total: str
) -> None:
    make_party(external_id="C1")
    content = (
        f'external_id,party_external_id,ordered_at,total,currency\nO1,C1,2024-01-02,"{cell}",EUR\n'
    )
    summary = run_import("orders", write("o.csv", content), locale=locale)
    assert summary.created == 1, summary.problems
    assert _orders()["O1"][1] == Decimal(total)


@pytest.mark.parametrize(("country", "total"), [("PT", Decimal("1234.00")), ("US", None)])
def test_an_undecided_amount_column_is_read_as_the_company_country_writes(
    admin: User, write: Writer, run_import: Importer, country: str, total: Decimal | None
) -> None:
    update_company(by=admin, country=country)
    make_party(external_id="C1")
    content = (
        "external_id,party_external_id,ordered_at,total,currency\n"
        "O1,C1,2024-01-02T00:00:00Z,1.234,EUR\n"
    )
    summary = run_import("orders", write("o.csv", content))
    if total is None:  # 1.234 dollars and a fraction: more than two decimals
        assert [p.code for p in summary.problems] == ["amount_too_many_decimals"]
    else:
        assert _orders()["O1"][1] == total


def test_a_sign_against_the_rows_currency_is_a_row_error_and_rejects_keep_the_cells(
    portugal: None, write: Writer, run_import: Importer, tmp_path: Path
) -> None:
    make_party(external_id="C1")
    content = (
        "Encomenda;Cliente;Data;Valor;Moeda\n"
        "E1;C1;02/01/2024;12,50 €;EUR\n"
        "E2;C1;03/01/2024;R$ 9,90;EUR\n"  # a real, in a euro row
        "E3;C1;31/02/2024;5,00 €;EUR\n"  # no such day
        "E4;C1;13/01/2024;5,00 €;\n"  # no currency: the euro sign says it
    )
    rejects = tmp_path / "rejects.csv"
    summary = run_import("orders", write("e.csv", content), skip_invalid=True, rejects=rejects)
    found = {(p.row, p.column, p.code) for p in summary.problems}
    assert found == {(3, "Valor", "amount_currency_mismatch"), (4, "Data", "date_impossible")}
    assert set(_orders()) == {"E1", "E4"}
    assert _orders()["E4"][2] == "EUR"
    kept = list(csv.reader(StringIO(rejects.read_text())))
    assert [row[:5] for row in kept[1:]] == [
        ["E2", "C1", "03/01/2024", "R$ 9,90", "EUR"],
        ["E3", "C1", "31/02/2024", "5,00 €", "EUR"],
    ]


# Interactions


def test_interactions_read_day_first_local_times(
    portugal: None, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    content = (
        "Cliente;Canal;Sentido;Data;Assunto\n"
        "C1;phone;inbound;15/07/2024 10:00;Chamada\n"
        "C1;email;outbound;16/07/2024;Orçamento\n"
    )
    summary = run_import("interactions", write("contactos.csv", content))
    assert summary.created == 2, summary.problems
    assert sorted(Interaction.objects.values_list("occurred_at", flat=True)) == [
        _at(2024, 7, 15, 9, 0),
        _at(2024, 7, 15, 23, 0),
    ]


# The doors: the command line and the import page


def test_the_command_takes_the_date_format_and_locale(
    portugal: None, write: Writer, admin: User
) -> None:
    make_party(external_id="C1")
    path = write("e.csv", AMBIGUOUS)
    call_command(
        "import", "orders", str(path), "--date-format", "MM/DD/YYYY", "--locale", "pt-PT",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert _orders()["E1"][0] == _at(2024, 3, 4)  # 4 March, winter time


@pytest.mark.parametrize(
    ("option", "value", "code"),
    [("--date-format", "YYYY.DD.MM", "must be one of"), ("--locale", "xx-YY", "not a locale")],
)
def test_the_command_refuses_an_unknown_format(
    write: Writer, admin: User, option: str, value: str, code: str
) -> None:
    path = write("e.csv", AMBIGUOUS)
    with pytest.raises(CommandError, match=code) as caught:
        call_command("import", "orders", str(path), option, value, stdout=StringIO())
    assert caught.value.returncode == 2
    assert not ImportRun.objects.exists()


def _upload(client: Client, content: bytes) -> ImportRun:
    file = SimpleUploadedFile("encomendas.csv", content, content_type="text/csv")
    assert client.post("/imports/", {"kind": "orders", "file": file}).status_code == 302
    return ImportRun.objects.latest("pk")


def test_the_import_page_asks_for_the_date_format_of_an_ambiguous_file(
    portugal: None, admin: User, web_client: Callable[[User], Client]
) -> None:
    make_party(external_id="C1")
    client = web_client(admin)
    run = _upload(client, AMBIGUOUS.encode())  # mapped at once: its formats are asked later
    assert b'name="date_format"' in client.get(f"/imports/{run.pk}/").content
    preview = client.post(f"/imports/{run.pk}/preview/", {}, HTTP_HX_REQUEST="true")
    assert preview.status_code == 422
    assert "“Data”" in preview.content.decode()
    client.post(f"/imports/{run.pk}/start/", {"date_format": "DD/MM/YYYY"})
    run.refresh_from_db()
    assert (run.status, run.date_format, run.created) == (ImportStatus.DONE, "DD/MM/YYYY", 2)


# The cell readers


@pytest.mark.parametrize("zone", ["Europe/Lisbon", "America/New_York", "Asia/Kolkata"])
def test_local_times_convert_as_datetime_does_across_the_clock_changes(zone: str) -> None:
    read = moment_reader(DMY, ZoneInfo(zone))
    start = datetime(2024, 3, 9, tzinfo=UTC)
    for step in range(0, 24 * 30 * 4, 7):  # every 7 hours over four months, two clock changes
        local = (start + timedelta(minutes=step * 61)).astimezone(ZoneInfo(zone))
        cell = f"{local:%d/%m/%Y %H:%M:%S}"
        expected = local.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        assert read(cell) == f"{expected:%Y-%m-%dT%H:%M:%S}Z", cell
        assert read(cell[:16]) == f"{expected.replace(second=0):%Y-%m-%dT%H:%M:%S}Z", cell


def test_a_cell_not_in_the_files_order_is_named_and_an_iso_one_is_left_to_its_field() -> None:
    with pytest.raises(Problem) as caught:
        moment_reader(DMY, ZoneInfo("UTC"))("March 3rd")
    assert (caught.value.code, caught.value.params) == ("date_not_in_format", {"format": DMY})
    assert moment_reader(ISO, ZoneInfo("UTC"))("March 3rd") == "March 3rd"
