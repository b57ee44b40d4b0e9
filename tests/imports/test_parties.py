from __future__ import annotations

import pytest

from clientela.parties.models import ContactKind, CustomField, Party, PartyChange, PartyKind
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer


@pytest.mark.django_db
def test_portuguese_spanish_and_italian_headers_map_by_themselves(
    write: Writer, run_import: Importer
) -> None:
    path = write(
        "p.csv",
        "Nome;Cognome;Correo electrónico;Teléfono;Data de nascimento;Città;País\n"
        "Ana;Rossi;ana@example.com;+351 912 345 678;1990-05-17;Lisboa;Portugal\n",
    )
    summary = run_import("parties", path)
    assert summary.created == 1, summary.problems
    party = Party.objects.get()
    assert (party.given_name, party.family_name, party.kind) == ("Ana", "Rossi", PartyKind.PERSON)
    kinds = {p.kind: p for p in party.contact_points.all()}
    assert kinds[ContactKind.PHONE].normalized == "+351912345678"
    assert (kinds[ContactKind.ADDRESS].locality, kinds[ContactKind.ADDRESS].country) == (
        "Lisboa",
        "PT",
    )
    birthday = party.key_dates.get()
    assert (birthday.year, birthday.month, birthday.day) == (1990, 5, 17)
    assert PartyChange.objects.filter(party=party, action="created").exists()


@pytest.mark.django_db
def test_a_map_option_overrides_the_proposed_column(write: Writer, run_import: Importer) -> None:
    path = write("p.csv", "Nome,Apelido\nAna Maria,Silva\n")
    summary = run_import("parties", path, overrides={"Nome": "given_name", "Apelido": "-"})
    assert summary.created == 1
    party = Party.objects.get()
    assert (party.given_name, party.family_name) == ("Ana Maria", "")


@pytest.mark.django_db
def test_custom_fields_import_by_their_label(write: Writer, run_import: Importer) -> None:
    CustomField.objects.create(key="shoe_size", label="Shoe size", type="number")
    path = write("p.csv", "given_name,Shoe size\nAna,38\n")
    summary = run_import("parties", path)
    assert summary.created == 1, summary.problems
    assert Party.objects.get().custom == {"shoe_size": 38}


@pytest.mark.django_db
def test_a_row_with_an_existing_e_mail_is_reported_as_a_duplicate_naming_the_party(
    write: Writer, run_import: Importer
) -> None:
    existing = make_party(email="ana@example.com", given_name="Ana")
    path = write("p.csv", "given_name,email\nAnabela,ANA@example.com\n")
    summary = run_import("parties", path)
    assert summary.rejected == 1
    assert f"duplicate of party #{existing.pk}" in summary.problems[0].text()
    assert summary.problems[0].column == "email"
    assert Party.objects.count() == 1


@pytest.mark.django_db
def test_a_row_with_an_existing_phone_is_a_duplicate_too(
    write: Writer, run_import: Importer
) -> None:
    existing = make_party(phone="+351912345678", given_name="Rui")
    path = write("p.csv", "given_name,phone\nRuizinho,(+351) 912-345-678\n")
    summary = run_import("parties", path)
    assert summary.rejected == 1
    assert f"duplicate of party #{existing.pk} (same phone)" in summary.problems[0].text()


@pytest.mark.django_db
def test_upsert_updates_the_matching_party_and_adds_its_new_phone(
    write: Writer, run_import: Importer
) -> None:
    existing = make_party(email="ana@example.com", given_name="Ana")
    path = write(
        "p.csv", "given_name,email,phone,tags\nAnabela,ana@example.com,+351912345678,vip\n"
    )
    summary = run_import("parties", path, upsert=True)
    assert (summary.updated, summary.created) == (1, 0), summary.problems
    existing.refresh_from_db()
    assert existing.given_name == "Anabela"
    assert sorted(existing.contact_points.values_list("kind", flat=True)) == ["email", "phone"]
    assert list(existing.tags.values_list("name", flat=True)) == ["vip"]


@pytest.mark.django_db
def test_the_same_parties_file_twice_changes_nothing(write: Writer, run_import: Importer) -> None:
    path = write(
        "p.csv",
        "external_id,given_name,family_name,email,tags,roles\n"
        "C1,Ana,Silva,ana@example.com,vip;gold,customer\nC2,Rui,Costa,,,\n",
    )
    first = run_import("parties", path)
    changes = PartyChange.objects.count()
    again = run_import("parties", path)
    assert (first.created, again.created, again.unchanged, again.rejected) == (2, 0, 2, 0)
    assert PartyChange.objects.count() == changes


@pytest.mark.django_db
def test_a_company_column_affiliates_the_person_with_an_organization(
    write: Writer, run_import: Importer
) -> None:
    path = write("p.csv", "Nombre,Apellido,Empresa\nAna,Silva,Acme\nRui,Costa,Acme\n")
    summary = run_import("parties", path)
    assert summary.created == 2
    acme = Party.objects.get(kind=PartyKind.ORGANIZATION)
    assert acme.organization_name == "Acme"
    assert acme.members.count() == 2


@pytest.mark.django_db
def test_a_bad_e_mail_names_the_column_and_the_value(write: Writer, run_import: Importer) -> None:
    path = write("p.csv", "Nome,E-mail\nAna,not-an-email\n")
    summary = run_import("parties", path)
    problem = summary.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "E-mail", "not-an-email")
    assert "e-mail" in problem.text()
