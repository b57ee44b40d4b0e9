"""Who sees which parties: the access rule, written once, and the compiled reads that follow it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Exists, OuterRef, Q

from clientela.accounts.models import Role, User
from clientela.core import prepared
from clientela.core.errors import NotFound
from clientela.parties import queries
from clientela.parties.models import Party, PartyRole
from tests.factories import api_client, make_party, make_user

Rule = Callable[[User], Q]


@pytest.fixture
def rule(monkeypatch: pytest.MonkeyPatch) -> Callable[[Rule], None]:
    """Replace the access rule for one test, as a new version of the code would."""
    return lambda new: monkeypatch.setattr(queries, "party_access", new)


def _sees(user: User, party: Party) -> bool:
    try:
        queries.visible_party_values(user, party.pk, ("id",))
    except NotFound:
        return False
    return True


@pytest.mark.django_db
def test_sales_see_their_own_and_their_teams_parties_only(sales_a: User, sales_b: User) -> None:
    own = make_party(owner=sales_a)
    teams = make_party(team=sales_a.team)
    other = make_party(owner=sales_b, team=sales_b.team)

    assert set(queries.visible_parties(sales_a)) == {own, teams}
    assert [_sees(sales_a, p) for p in (own, teams, other)] == [True, True, False]


@pytest.mark.django_db
def test_a_disabled_user_sees_nothing_even_with_the_cache_warm(manager: User) -> None:
    party = make_party()
    assert _sees(manager, party)
    manager.is_active = False

    assert not _sees(manager, party)
    assert not queries.visible_parties(manager).exists()


@pytest.mark.django_db
def test_a_new_rule_on_another_user_field_is_followed_with_the_cache_warm(
    rule: Callable[[Rule], None],
) -> None:
    """The rule below reads `language`, a field the old hand-written cache key did not name."""
    lisbon = make_user(role=Role.SALES, team="South", language="pt")
    madrid = make_user(role=Role.SALES, team="South", language="es")
    portuguese = make_party(team=lisbon.team, language="pt")
    spanish = make_party(team=lisbon.team, language="es")
    for user in (lisbon, madrid):  # warm the cache for this role and team shape
        assert _sees(user, portuguese)
        assert _sees(user, spanish)
    original = queries.party_access

    rule(lambda user: original(user) & Q(language=user.language))

    assert [_sees(lisbon, portuguese), _sees(lisbon, spanish)] == [True, False]
    assert [_sees(madrid, portuguese), _sees(madrid, spanish)] == [False, True]
    assert set(queries.visible_parties(lisbon)) == {portuguese}
    client = api_client(lisbon)
    assert client.get(f"/api/v1/parties/{portuguese.pk}").status_code == 200
    assert client.get(f"/api/v1/parties/{spanish.pk}").status_code == 404


@pytest.mark.django_db
def test_a_rule_that_branches_on_another_user_field_gets_its_own_compiled_query(
    rule: Callable[[Rule], None], manager: User
) -> None:
    party = make_party(owner=None, team=None)
    assert _sees(manager, party)
    original = queries.party_access

    # Managers with no team see only the parties of some team: a branch, not a bound value.
    rule(lambda user: Q(team__isnull=False) if user.team_id is None else original(user))

    assert not _sees(manager, party)


@pytest.mark.django_db
def test_a_rule_the_cache_cannot_key_is_still_applied(
    rule: Callable[[Rule], None], manager: User
) -> None:
    customer = make_party(roles=("customer",))
    supplier = make_party(roles=("supplier",))
    assert _sees(manager, supplier)

    # A subquery: the cache cannot take it apart, so the ORM compiles it on every call.
    suppliers = PartyRole.objects.filter(party=OuterRef("pk"), role="supplier")
    rule(lambda user: Q(Exists(suppliers)) if user.role == Role.MANAGER else Q())

    assert prepared.split(queries.party_access(manager), prefix="x") is None
    assert [_sees(manager, customer), _sees(manager, supplier)] == [False, True]


@pytest.mark.django_db
def test_an_unknown_party_is_not_found_with_its_code_and_id(manager: User) -> None:
    with pytest.raises(NotFound) as caught:
        queries.get_visible_party(manager, 999_999)

    assert (caught.value.code, caught.value.params) == ("party_not_found", {"id": 999_999})
    assert caught.value.detail == "party 999999 not found"
