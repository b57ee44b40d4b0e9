"""Every operator of every field type, run on real rows through the compiled ORM filter."""

from __future__ import annotations

from datetime import date

import pytest

from clientela.accounts.models import Team, User
from clientela.parties.models import (
    ContactKind,
    ContactPoint,
    CustomField,
    KeyDate,
    Party,
    PartyKind,
    Tag,
)
from tests.factories import aware, make_party, make_user
from tests.segments.helpers import cond, metrics, names

pytestmark = pytest.mark.django_db


def test_text_operators_compare_the_preferred_language(admin: User) -> None:
    make_party(given_name="Ana", language="pt")
    make_party(given_name="Bea", language="pt-BR")
    make_party(given_name="Cid", language="")
    assert names(cond("language", "eq", "pt"), admin) == {"Ana"}
    assert names(cond("language", "ne", "pt"), admin) == {"Bea", "Cid"}
    assert names(cond("language", "in", ["pt", "pt-BR"]), admin) == {"Ana", "Bea"}
    assert names(cond("language", "not_in", ["pt"]), admin) == {"Bea", "Cid"}
    assert names(cond("language", "contains", "br"), admin) == {"Bea"}
    assert names(cond("language", "starts_with", "PT"), admin) == {"Ana", "Bea"}
    assert names(cond("language", "is_empty"), admin) == {"Cid"}
    assert names(cond("language", "is_not_empty"), admin) == {"Ana", "Bea"}


def _address(party: Party, country: str, *, primary: bool = True) -> None:
    ContactPoint.objects.create(
        party=party, kind=ContactKind.ADDRESS, value=f"Somewhere, {country}",
        normalized=f"somewhere {country}", country=country, is_primary=primary,
    )  # fmt: skip


def test_country_is_the_primary_postal_address_country(admin: User) -> None:
    _address(make_party(given_name="Ana"), "PT")
    _address(make_party(given_name="Bea"), "ES")
    cid = make_party(given_name="Cid")
    _address(cid, "IT")
    _address(cid, "PT", primary=False)
    make_party(given_name="Dan")
    assert names(cond("country", "eq", "pt"), admin) == {"Ana"}
    assert names(cond("country", "ne", "PT"), admin) == {"Bea", "Cid", "Dan"}
    assert names(cond("country", "in", ["PT", "es"]), admin) == {"Ana", "Bea"}
    assert names(cond("country", "not_in", ["PT", "ES"]), admin) == {"Cid", "Dan"}
    assert names(cond("country", "contains", "t"), admin) == {"Ana", "Cid"}
    assert names(cond("country", "starts_with", "I"), admin) == {"Cid"}
    assert names(cond("country", "is_empty"), admin) == {"Dan"}
    assert names(cond("country", "is_not_empty"), admin) == {"Ana", "Bea", "Cid"}


def test_choice_operators_compare_the_kind(admin: User) -> None:
    make_party(given_name="Ana")
    make_party(kind=PartyKind.ORGANIZATION, organization_name="Acme")
    assert names(cond("kind", "eq", "organization"), admin) == {"Acme"}
    assert names(cond("kind", "ne", "organization"), admin) == {"Ana"}
    assert names(cond("kind", "in", ["person", "organization"]), admin) == {"Ana", "Acme"}
    assert names(cond("kind", "not_in", ["person"]), admin) == {"Acme"}
    assert names(cond("kind", "is_empty"), admin) == set()
    assert names(cond("kind", "is_not_empty"), admin) == {"Ana", "Acme"}


def test_a_party_without_metrics_counts_as_potential(admin: User) -> None:
    metrics(make_party(given_name="Ana"), lifecycle_state="at_risk", rfm_segment="at_risk")
    metrics(make_party(given_name="Bea"), lifecycle_state="potential")
    make_party(given_name="Cid")
    assert names(cond("lifecycle_state", "eq", "potential"), admin) == {"Bea", "Cid"}
    assert names(cond("lifecycle_state", "ne", "potential"), admin) == {"Ana"}
    assert names(cond("lifecycle_state", "in", ["at_risk", "lost"]), admin) == {"Ana"}
    assert names(cond("lifecycle_state", "not_in", ["at_risk"]), admin) == {"Bea", "Cid"}
    assert names(cond("rfm_segment", "eq", "at_risk"), admin) == {"Ana"}
    assert names(cond("rfm_segment", "is_empty"), admin) == {"Bea", "Cid"}
    assert names(cond("rfm_segment", "is_not_empty"), admin) == {"Ana"}


def test_role_operators_test_any_role_the_party_holds(admin: User) -> None:
    make_party(given_name="Ana", roles=("customer", "partner"))
    make_party(given_name="Bea", roles=("supplier",))
    make_party(given_name="Cid", roles=())
    assert names(cond("role", "eq", "partner"), admin) == {"Ana"}
    assert names(cond("role", "ne", "partner"), admin) == {"Bea", "Cid"}
    assert names(cond("role", "in", ["partner", "supplier"]), admin) == {"Ana", "Bea"}
    assert names(cond("role", "not_in", ["customer", "supplier"]), admin) == {"Cid"}
    assert names(cond("role", "is_empty"), admin) == {"Cid"}
    assert names(cond("role", "is_not_empty"), admin) == {"Ana", "Bea"}


def test_tag_operators_match_each_party_once(admin: User) -> None:
    vip, press = Tag.objects.create(name="vip"), Tag.objects.create(name="press")
    make_party(given_name="Ana").tags.add(vip, press)
    make_party(given_name="Bea").tags.add(press)
    make_party(given_name="Cid")
    assert names(cond("tag", "in", ["vip", "press"]), admin) == {"Ana", "Bea"}
    assert names(cond("tag", "eq", "vip"), admin) == {"Ana"}
    assert names(cond("tag", "ne", "vip"), admin) == {"Bea", "Cid"}
    assert names(cond("tag", "not_in", ["vip", "press"]), admin) == {"Cid"}
    assert names(cond("tag", "is_empty"), admin) == {"Cid"}
    assert names(cond("tag", "is_not_empty"), admin) == {"Ana", "Bea"}


def test_owner_and_team_operators_take_ids(admin: User) -> None:
    alice = make_user(email="alice@example.com", team="North")
    bob = make_user(email="bob@example.com", team="South")
    north = Team.objects.get(name="North")
    make_party(given_name="Ana", owner=alice, team=north)
    make_party(given_name="Bea", owner=bob)
    make_party(given_name="Cid")
    assert names(cond("owner", "eq", alice.pk), admin) == {"Ana"}
    assert names(cond("owner", "ne", alice.pk), admin) == {"Bea", "Cid"}
    assert names(cond("owner", "in", [alice.pk, bob.pk]), admin) == {"Ana", "Bea"}
    assert names(cond("owner", "not_in", [alice.pk]), admin) == {"Bea", "Cid"}
    assert names(cond("owner", "is_empty"), admin) == {"Cid"}
    assert names(cond("owner", "is_not_empty"), admin) == {"Ana", "Bea"}
    assert names(cond("team", "eq", north.pk), admin) == {"Ana"}
    assert names(cond("team", "is_empty"), admin) == {"Bea", "Cid"}


def test_number_operators_compare_lifetime_value(admin: User) -> None:
    metrics(make_party(given_name="Ana"), clv="100.00")
    metrics(make_party(given_name="Bea"), clv="250.50")
    metrics(make_party(given_name="Cid"))
    assert names(cond("clv", "eq", 100), admin) == {"Ana"}
    assert names(cond("clv", "ne", 100), admin) == {"Bea", "Cid"}
    assert names(cond("clv", "in", [100, 250.5]), admin) == {"Ana", "Bea"}
    assert names(cond("clv", "not_in", [100]), admin) == {"Bea", "Cid"}
    assert names(cond("clv", "gt", 100), admin) == {"Bea"}
    assert names(cond("clv", "gte", 100), admin) == {"Ana", "Bea"}
    assert names(cond("clv", "lt", 250.5), admin) == {"Ana"}
    assert names(cond("clv", "lte", 250.5), admin) == {"Ana", "Bea"}
    assert names(cond("clv", "between", [200, 300]), admin) == {"Bea"}
    assert names(cond("clv", "is_empty"), admin) == {"Cid"}
    assert names(cond("clv", "is_not_empty"), admin) == {"Ana", "Bea"}


def test_scores_probabilities_and_counts_are_numbers(admin: User) -> None:
    metrics(
        make_party(given_name="Ana"),
        r_score=5,
        f_score=4,
        m_score=3,
        p_alive=0.9,
        expected_purchases=2.5,
        frequency=7,
        monetary="900.00",
        recency_days=3,
        tier="gold",
    )
    metrics(
        make_party(given_name="Bea"),
        r_score=1,
        f_score=1,
        m_score=1,
        p_alive=0.2,
        expected_purchases=0.1,
        frequency=0,
        monetary="20.00",
        recency_days=400,
        tier="bronze",
    )

    assert names(cond("r_score", "gte", 4), admin) == {"Ana"}
    assert names(cond("f_score", "lt", 2), admin) == {"Bea"}
    assert names(cond("m_score", "eq", 3), admin) == {"Ana"}
    assert names(cond("p_alive", "lt", 0.5), admin) == {"Bea"}
    assert names(cond("expected_purchases", "gt", 1), admin) == {"Ana"}
    assert names(cond("frequency", "eq", 0), admin) == {"Bea"}
    assert names(cond("monetary", "between", [500, 1000]), admin) == {"Ana"}
    assert names(cond("recency_days", "gt", 365), admin) == {"Bea"}
    assert names(cond("tier", "in", ["gold", "platinum"]), admin) == {"Ana"}


def test_date_operators_compare_the_last_purchase(admin: User) -> None:
    metrics(make_party(given_name="Ana"), last_purchase_at=date(2024, 12, 20))
    metrics(make_party(given_name="Bea"), last_purchase_at=date(2024, 6, 1))
    metrics(make_party(given_name="Cid"))
    assert names(cond("last_purchase_at", "eq", "2024-12-20"), admin) == {"Ana"}
    assert names(cond("last_purchase_at", "ne", "2024-12-20"), admin) == {"Bea", "Cid"}
    assert names(cond("last_purchase_at", "gt", "2024-06-01"), admin) == {"Ana"}
    assert names(cond("last_purchase_at", "gte", "2024-06-01"), admin) == {"Ana", "Bea"}
    assert names(cond("last_purchase_at", "lt", "2024-12-20"), admin) == {"Bea"}
    assert names(cond("last_purchase_at", "lte", "2024-12-20"), admin) == {"Ana", "Bea"}
    between = cond("last_purchase_at", "between", ["2024-05-01", "2024-07-01"])
    assert names(between, admin) == {"Bea"}
    # Today is 2024-12-25: 5 days after Ana's purchase, 207 after Bea's.
    assert names(cond("last_purchase_at", "after_days_ago", 30), admin) == {"Ana"}
    assert names(cond("last_purchase_at", "before_days_ago", 90), admin) == {"Bea"}
    assert names(cond("last_purchase_at", "is_empty"), admin) == {"Cid"}
    assert names(cond("last_purchase_at", "is_not_empty"), admin) == {"Ana", "Bea"}


def test_first_purchase_and_creation_dates(admin: User) -> None:
    ana = make_party(given_name="Ana")
    metrics(ana, first_purchase_at=date(2020, 1, 1))
    bea = make_party(given_name="Bea")
    Party.objects.filter(pk=ana.pk).update(created_at=aware(2024, 12, 20))
    Party.objects.filter(pk=bea.pk).update(created_at=aware(2024, 1, 1))
    assert names(cond("first_purchase_at", "lt", "2021-01-01"), admin) == {"Ana"}
    assert names(cond("created_at", "before_days_ago", 30), admin) == {"Bea"}
    assert names(cond("created_at", "after_days_ago", 30), admin) == {"Ana"}
    assert names(cond("created_at", "eq", "2024-01-01"), admin) == {"Bea"}


def test_has_email_and_has_phone(admin: User) -> None:
    make_party(given_name="Ana", email="ana@example.com")
    make_party(given_name="Bea", phone="+351912345678")
    assert names(cond("has_email", "eq", True), admin) == {"Ana"}
    assert names(cond("has_email", "eq", False), admin) == {"Bea"}
    assert names(cond("has_phone", "eq", True), admin) == {"Bea"}


def test_custom_fields_are_compared_in_their_own_type(admin: User) -> None:
    CustomField.objects.create(key="shoe_size", label="Shoe size", type="number")
    CustomField.objects.create(key="nickname", label="Nickname", type="text")
    CustomField.objects.create(key="joined", label="Joined", type="date")
    CustomField.objects.create(key="newsletter", label="Newsletter", type="boolean")
    CustomField.objects.create(key="plan", label="Plan", type="choice", choices=["basic", "pro"])
    make_party(
        given_name="Ana",
        custom={
            "shoe_size": 42,
            "nickname": "Annie",
            "joined": "2019-05-01",
            "newsletter": True,
            "plan": "pro",
        },
    )
    make_party(given_name="Bea", custom={"shoe_size": 9, "joined": "2024-12-01", "plan": "basic"})
    make_party(given_name="Cid")

    assert names(cond("custom.shoe_size", "gt", 10), admin) == {"Ana"}
    assert names(cond("custom.shoe_size", "between", [5, 10]), admin) == {"Bea"}
    assert names(cond("custom.nickname", "contains", "nni"), admin) == {"Ana"}
    assert names(cond("custom.nickname", "is_empty"), admin) == {"Bea", "Cid"}
    assert names(cond("custom.nickname", "is_not_empty"), admin) == {"Ana"}
    assert names(cond("custom.shoe_size", "is_empty"), admin) == {"Cid"}
    assert names(cond("custom.joined", "lt", "2020-01-01"), admin) == {"Ana"}
    assert names(cond("custom.joined", "after_days_ago", 60), admin) == {"Bea"}
    assert names(cond("custom.newsletter", "eq", True), admin) == {"Ana"}
    assert names(cond("custom.newsletter", "eq", False), admin) == {"Bea", "Cid"}
    assert names(cond("custom.plan", "in", ["pro"]), admin) == {"Ana"}
    assert names(cond("custom.plan", "ne", "pro"), admin) == {"Bea", "Cid"}
    assert names(cond("custom.plan", "not_in", ["basic"]), admin) == {"Ana", "Cid"}


def _key_date(party: Party, kind: str, month: int, day: int) -> None:
    KeyDate.objects.create(party=party, kind=kind, month=month, day=day, year=1990)


def test_birthdays_within_days_wrap_the_year_end(admin: User) -> None:
    _key_date(make_party(given_name="Ana"), "birthday", 12, 30)
    _key_date(make_party(given_name="Bea"), "birthday", 1, 5)
    _key_date(make_party(given_name="Cid"), "birthday", 1, 20)
    _key_date(make_party(given_name="Dan"), "wedding_anniversary", 12, 26)
    make_party(given_name="Eva")
    upcoming = cond("key_date.birthday", "within_days", 14)
    assert names(upcoming, admin, today=date(2024, 12, 25)) == {"Ana", "Bea"}
    assert names(cond("key_date.birthday", "within_days", 0), admin, today=date(2025, 1, 5)) == {
        "Bea"
    }
    assert names(cond("key_date.wedding_anniversary", "within_days", 1), admin) == {"Dan"}
    assert names(cond("key_date.birthday", "is_empty"), admin) == {"Dan", "Eva"}
    assert names(cond("key_date.birthday", "is_not_empty"), admin) == {"Ana", "Bea", "Cid"}


def test_a_29_february_birthday_comes_on_the_28th_in_other_years(admin: User) -> None:
    _key_date(make_party(given_name="Ana"), "birthday", 2, 29)
    assert names(cond("key_date.birthday", "within_days", 0), admin, today=date(2025, 2, 28)) == {
        "Ana"
    }
    assert names(cond("key_date.birthday", "within_days", 0), admin, today=date(2024, 2, 28)) == (
        set()
    )


def test_customer_since_and_custom_key_dates(admin: User) -> None:
    _key_date(make_party(given_name="Ana"), "customer_since", 12, 27)
    _key_date(make_party(given_name="Bea"), "custom", 12, 31)
    assert names(cond("key_date.customer_since", "within_days", 7), admin) == {"Ana"}
    assert names(cond("key_date.custom", "within_days", 7), admin) == {"Bea"}


def test_groups_combine_with_and_or_and_nest(admin: User) -> None:
    vip = Tag.objects.create(name="vip")
    ana = make_party(given_name="Ana", language="pt")
    ana.tags.add(vip)
    metrics(ana, clv="900.00", lifecycle_state="at_risk")
    metrics(make_party(given_name="Bea", language="pt"), clv="50.00", lifecycle_state="at_risk")
    metrics(make_party(given_name="Cid", language="es"), clv="950.00", lifecycle_state="active")
    rules = {
        "all": [
            {"field": "lifecycle_state", "op": "eq", "value": "at_risk"},
            {"any": [
                {"field": "clv", "op": "gte", "value": 500},
                {"all": [{"field": "tag", "op": "eq", "value": "vip"},
                         {"field": "language", "op": "eq", "value": "es"}]},
            ]},
        ]
    }  # fmt: skip
    assert names(rules, admin) == {"Ana"}
    either = {"any": [{"field": "language", "op": "eq", "value": "es"},
                      {"field": "clv", "op": "lt", "value": 100}]}  # fmt: skip
    assert names(either, admin) == {"Bea", "Cid"}
    assert names({"all": []}, admin) == {"Ana", "Bea", "Cid"}
    assert names({"any": []}, admin) == set()
