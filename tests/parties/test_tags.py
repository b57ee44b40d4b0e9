"""Tags are one per name as the search folds it, shown as first written, through every door."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientela.accounts.models import User
from clientela.imports.services import ImportOptions, import_file, importing
from clientela.parties.models import Party, Tag
from clientela.parties.queries import search_parties
from clientela.parties.schemas import PartyCreate, PartyUpdate, check_tags
from clientela.parties.services import create_party, update_party
from clientela.parties.services.tags import tag_key, tags_named
from clientela.parties.services.updates import apply_states
from tests.factories import api_client, make_party
from tests.segments.helpers import cond, names

pytestmark = pytest.mark.django_db


def _tags(party: Party) -> list[str]:
    return sorted(party.tags.values_list("name", flat=True))


def test_a_tags_key_ignores_case_accents_and_spacing_like_the_search() -> None:
    assert tag_key("Trade-Fair") == tag_key("trade-fair") == "trade-fair"
    assert tag_key("Café  Lover") == tag_key("cafe lover")
    assert tag_key("VIP") != tag_key("VIP 2")


def test_one_list_keeps_the_first_spelling_of_each_tag() -> None:
    assert check_tags(["VIP", "press", "vip", "Press"]) == ["press", "VIP"]


def test_a_new_spelling_finds_the_tag_first_written(admin: User) -> None:
    first = tags_named(["vip"])[0]
    party = create_party(
        PartyCreate.model_validate({"kind": "person", "given_name": "Ana", "tags": ["VIP"]}),
        by=admin,
    )
    assert list(party.tags.all()) == [first]
    assert Tag.objects.get().name == "vip"
    update_party(party, PartyUpdate.model_validate({"tags": ["Vip", "Trade-Fair"]}), by=admin)
    other = make_party()
    update_party(other, PartyUpdate.model_validate({"tags": ["trade-fair"]}), by=admin)
    assert _tags(party) == ["Trade-Fair", "vip"]
    assert _tags(other) == ["Trade-Fair"]
    assert Tag.objects.count() == 2


def test_the_admin_and_tests_saving_one_tag_get_its_key() -> None:
    tag = Tag.objects.create(name="Coffee Lover")
    assert tag.key == "coffee lover"
    assert tags_named(["COFFEE LOVER"]) == [tag]


def test_the_api_tags_a_party_with_the_existing_spelling(admin: User) -> None:
    tags_named(["vip"])
    party = make_party()
    response = api_client(admin).patch(
        f"/api/v1/parties/{party.pk}", {"tags": ["VIP"]}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["vip"]
    assert Tag.objects.count() == 1


def test_the_set_based_update_matches_tags_by_their_key() -> None:
    tags_named(["vip"])
    ana, bea = make_party(), make_party()
    apply_states([(ana.pk, {"tags": ["VIP", "Newsletter"]}), (bea.pk, {"tags": ["newsletter"]})])
    assert _tags(ana) == ["Newsletter", "vip"]
    assert _tags(bea) == ["Newsletter"]
    assert Tag.objects.count() == 2


@pytest.mark.parametrize("bulk", [True, False])
def test_an_import_tags_with_the_existing_spelling(
    admin: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    monkeypatch.setattr(importing, "is_bulk", lambda mapping: bulk)
    tags_named(["vip"])
    path = tmp_path / "p.csv"
    path.write_text(
        "external_id,given_name,email,tags\n"
        "C1,Ana,ana@example.com,VIP;Trade-Fair\n"
        "C2,Bea,bea@example.com,trade-fair;TRADE-FAIR\n",
        encoding="utf-8",
    )
    summary = import_file(path, options=ImportOptions(kind="parties"), by=admin)
    assert summary.created == 2, summary.problems
    assert _tags(Party.objects.get(external_id="C1")) == ["Trade-Fair", "vip"]
    assert _tags(Party.objects.get(external_id="C2")) == ["Trade-Fair"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Trade-Fair", "vip"]


def test_a_segment_rule_for_VIP_matches_the_parties_tagged_vip(admin: User) -> None:  # noqa: N802  (the tag's own spelling)
    make_party(given_name="Ana").tags.add(*tags_named(["vip"]))
    make_party(given_name="Bea")
    assert names(cond("tag", "eq", "VIP"), admin) == {"Ana"}
    assert names(cond("tag", "in", ["Vip", "press"]), admin) == {"Ana"}
    assert names(cond("tag", "ne", "VIP"), admin) == {"Bea"}


def test_the_party_list_filter_ignores_the_tags_case(admin: User) -> None:
    ana = make_party(given_name="Ana")
    ana.tags.add(*tags_named(["vip"]))
    make_party(given_name="Bea")
    assert list(search_parties(admin, tag="VIP")) == [ana]
