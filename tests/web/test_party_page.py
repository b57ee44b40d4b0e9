"""The customer 360 page, composed on the top floor from every feature's registered panels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import Role, User
from clientela.core import registries
from clientela.core.registries import PartyPanel, PartyTab, no_extra_context
from clientela.parties.models import Party, PartyKind
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]

# The page's sections, each registered by its feature, in order: the timeline first.
SECTIONS = ["timeline", "orders", "value", "consent", "activities", "details"]
# What each feature's panel puts in its section, top to bottom.
SECTION_PANELS = {
    "timeline": ['id="timeline-section"', 'aria-labelledby="h-log"'],  # the log form beside
    "orders": ['aria-labelledby="h-purchases"'],  # commerce
    "value": ['id="party-metrics"'],  # analytics
    "consent": ['id="consent-panel"'],  # consent
    "activities": ['aria-labelledby="h-activities"'],  # activities
    "details": ['aria-labelledby="h-details"', 'aria-labelledby="h-contact"'],  # parties
}
DETAILS_MAIN = [
    'aria-labelledby="h-details"',
    'aria-labelledby="h-contact"',
    'aria-labelledby="h-changes"',
]
DETAILS_SIDE = [
    'aria-labelledby="h-roles"',
    'aria-labelledby="h-orgs"',
    'aria-labelledby="h-dates"',
    'aria-labelledby="h-notes"',
]
EVERY_PANEL = [marker for markers in SECTION_PANELS.values() for marker in markers]


@pytest.fixture
def restore_registries() -> Iterator[None]:
    """Registries as the apps filled them, again after the test."""
    panels = dict(registries.PARTY_PANELS)
    tabs = dict(registries.PARTY_TABS)
    forwardings = dict(registries.PARTY_FORWARDINGS)
    yield
    registries.PARTY_PANELS.clear()
    registries.PARTY_PANELS.update(panels)
    registries.PARTY_TABS.clear()
    registries.PARTY_TABS.update(tabs)
    registries.PARTY_FORWARDINGS.clear()
    registries.PARTY_FORWARDINGS.update(forwardings)


def positions(body: str, markers: list[str]) -> list[int]:
    found = [body.find(marker) for marker in markers]
    assert -1 not in found, [m for m, at in zip(markers, found, strict=True) if at == -1]
    return found


def person() -> Party:
    party = factories.make_party(given_name="Lia", email="lia@example.com")
    party.notes = "Prefers calls after six."
    party.save()
    return party


def test_the_timeline_is_the_first_section_and_the_one_shown(
    admin: User, web_client: WebClient
) -> None:
    party = person()

    body = web_client(admin).get(f"/parties/{party.pk}/").content.decode()

    tabs = positions(body, [f'id="tab-{name}"' for name in SECTIONS])
    assert tabs == sorted(tabs)
    assert '<a href="?tab=timeline" id="tab-timeline" aria-current="page"' in body
    assert body.index('id="party-name"') < body.index('class="party-tabs"')
    assert body.index('class="party-tabs"') < body.index('id="timeline-section"')
    shown = [marker for marker in EVERY_PANEL if marker in body]
    assert shown == SECTION_PANELS["timeline"]  # only the timeline's section is rendered


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_shows_its_features_panels(
    section: str, admin: User, web_client: WebClient
) -> None:
    party = person()

    body = web_client(admin).get(f"/parties/{party.pk}/?tab={section}").content.decode()

    assert f'id="tab-{section}" aria-current="page"' in body
    assert f'id="section-{section}"' in body
    shown = [marker for marker in EVERY_PANEL if marker in body]
    assert shown == SECTION_PANELS[section]


def test_the_details_section_lists_its_panels_in_order(admin: User, web_client: WebClient) -> None:
    party = person()  # a customer with notes, no organization, no key dates

    body = web_client(admin).get(f"/parties/{party.pk}/?tab=details").content.decode()

    main, aside = body.split('<aside class="party-aside"')
    assert positions(main, DETAILS_MAIN) == sorted(positions(main, DETAILS_MAIN))
    assert positions(aside, DETAILS_SIDE) == sorted(positions(aside, DETAILS_SIDE))


def test_an_unknown_section_shows_the_first(admin: User, web_client: WebClient) -> None:
    party = person()

    body = web_client(admin).get(f"/parties/{party.pk}/?tab=nonsense").content.decode()

    assert 'id="section-timeline"' in body
    assert 'id="tab-timeline" aria-current="page"' in body


def test_a_panel_with_nothing_to_show_is_left_out(viewer: User, web_client: WebClient) -> None:
    party = factories.make_party(roles=())
    client = web_client(viewer)

    details = client.get(f"/parties/{party.pk}/?tab=details").content.decode()
    timeline = client.get(f"/parties/{party.pk}/").content.decode()

    assert 'aria-labelledby="h-notes"' not in details  # no notes
    assert 'aria-labelledby="h-roles"' not in details  # no roles
    assert 'aria-labelledby="h-log"' not in timeline  # a viewer may not log
    assert 'id="timeline-section"' in timeline


def test_a_feature_adds_a_section_and_a_panel_through_the_registry(
    admin: User, web_client: WebClient, restore_registries: None
) -> None:
    registries.register_party_tab(PartyTab("extra", "Extra", 150))
    registries.register_party_panel(
        PartyPanel("extra", "parties/_notes_panel.html", no_extra_context, 1, "main", "extra")
    )
    registries.register_party_panel(
        PartyPanel("first", "parties/_key_dates_panel.html", no_extra_context, 1, "side")
    )
    party = person()
    client = web_client(admin)

    first = client.get(f"/parties/{party.pk}/").content.decode()
    extra = client.get(f"/parties/{party.pk}/?tab=extra").content.decode()
    details = client.get(f"/parties/{party.pk}/?tab=details").content.decode()

    assert first.index('id="tab-timeline"') < first.index('id="tab-extra"')
    assert first.index('id="tab-extra"') < first.index('id="tab-orders"')
    assert 'aria-labelledby="h-notes"' in extra.split('<div class="party-main">')[1]
    aside = details.split('<aside class="party-aside"')[1]
    assert aside.index('aria-labelledby="h-dates"') < aside.index('aria-labelledby="h-roles"')


def test_a_panel_sees_the_request_and_the_party(
    admin: User, web_client: WebClient, restore_registries: None
) -> None:
    seen: list[tuple[str, int]] = []

    def context(request: object, party: Party) -> None:
        seen.append((str(getattr(request, "path", "")), party.pk))

    registries.register_party_panel(PartyPanel("spy", "missing.html", context, tab="timeline"))
    party = person()

    response = web_client(admin).get(f"/parties/{party.pk}/")

    assert response.status_code == 200  # left out: its template is never loaded
    assert seen == [(f"/parties/{party.pk}/", party.pk)]


def test_an_organization_shows_its_people_and_subsidiaries(
    admin: User, web_client: WebClient
) -> None:
    org = factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Atlas Ltd")
    factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Atlas Porto", parent=org)
    member = factories.make_party(given_name="Rui")
    member.affiliations.create(organization=org, title="Buyer")

    body = web_client(admin).get(f"/parties/{org.pk}/?tab=details").content.decode()

    assert 'aria-labelledby="h-people"' in body
    assert "Rui " in body
    assert "Buyer" in body
    assert "Atlas Porto" in body


def test_orders_on_the_timeline_are_named_by_the_commerce_app(
    admin: User, web_client: WebClient
) -> None:
    party = person()
    factories.make_order(party, external_id="ORD-9", channel="web", status="refunded")
    factories.make_interaction(party, channel="toll_free", subject="Asked for a refund")

    body = web_client(admin).get(f"/parties/{party.pk}/").content.decode()

    timeline = body.split('id="timeline-section"')[1]
    assert "Order ORD-9" in timeline
    assert '<span class="chip small channel">Web shop</span>' in timeline
    assert '<span class="badge status-refunded">Refunded</span>' in timeline
    assert '<span class="chip small channel">Toll-free line</span>' in timeline
    assert '<option value="order">Order</option>' in timeline
    assert '<option value="interaction">Interaction</option>' in timeline
    # contact channels first, then sales channels not already named
    assert timeline.index('value="toll_free"') < timeline.index('value="web"')
    assert timeline.count('<option value="phone">') == 1


def test_the_timeline_and_its_labels_follow_the_readers_language(web_client: WebClient) -> None:
    reader = factories.make_user(role=Role.ADMIN, language="pt")
    party = person()
    factories.make_order(party, channel="store")
    factories.make_interaction(party, channel="phone")

    body = web_client(reader).get(f"/parties/{party.pk}/").content.decode()

    assert ">Cronologia</h2>" in body
    assert '<option value="order">Encomenda</option>' in body
    assert '<span class="chip small channel">Loja</span>' in body
    assert '<span class="chip small channel">Telefone</span>' in body


def test_a_party_that_went_elsewhere_leads_there(
    admin: User, web_client: WebClient, restore_registries: None
) -> None:
    survivor = person()
    registries.register_party_forwarding("test", lambda pk: survivor.pk if pk == 424242 else None)

    response = web_client(admin).get("/parties/424242/")

    assert response.status_code == 302
    assert response["Location"] == f"/parties/{survivor.pk}/"
    assert web_client(admin).get("/parties/424243/").status_code == 404


def test_a_forwarding_to_a_party_the_reader_may_not_see_is_not_found(
    sales_a: User, web_client: WebClient, restore_registries: None
) -> None:
    elsewhere = factories.make_party()  # no owner, no team: not visible to a sales user
    registries.register_party_forwarding("test", lambda pk: elsewhere.pk)

    response = web_client(sales_a).get("/parties/424242/")

    assert response.status_code == 404


def test_the_timeline_without_htmx_leads_to_the_page_at_the_timeline(
    admin: User, web_client: WebClient
) -> None:
    party = person()

    plain = web_client(admin).get(f"/parties/{party.pk}/timeline/")
    filtered = web_client(admin).get(f"/parties/{party.pk}/timeline/", {"channel": "email"})

    assert plain["Location"] == f"/parties/{party.pk}/#timeline"
    assert filtered["Location"] == f"/parties/{party.pk}/?channel=email#timeline"


def test_a_stale_cursor_on_the_page_starts_the_timeline_over(
    admin: User, web_client: WebClient
) -> None:
    party = person()
    factories.make_interaction(party, subject="Only call")

    response = web_client(admin).get(
        f"/parties/{party.pk}/timeline/", {"cursor": "junk"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Only call" in response.content.decode()


def test_the_header_names_the_party_its_organization_owner_contacts_and_next_step(
    admin: User, web_client: WebClient
) -> None:
    owner = factories.make_user(email="ana@example.com", full_name="Ana Owner", team="Lisbon")
    org = factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Cafés Estrela")
    party = factories.make_party(
        given_name="Lia", email="lia@example.com", phone="+351912345678", owner=owner,
        team=owner.team,
    )  # fmt: skip
    party.affiliations.create(organization=org, title="Buyer")
    factories.make_order(party, total=Decimal("1234567.89"))
    factories.make_activity(party, title="Send the samples", assignee=owner)

    body = web_client(admin).get(f"/parties/{party.pk}/").content.decode()

    head = body[body.index('class="party-head"') : body.index('class="party-tabs"')]
    assert f'<a class="party-org" href="/parties/{org.pk}/">Cafés Estrela</a>' in head
    assert f">{org.pk}<" not in head  # the organization by name, never by its id
    assert '<dd id="party-owner">Ana Owner · Lisbon</dd>' in head
    assert '<a href="mailto:lia@example.com">lia@example.com</a>' in head
    assert '<a href="tel:+351912345678">+351912345678</a>' in head
    assert "Send the samples" in head
    assert '<span class="amount">€1,234,567.89</span>' in head
    assert 'id="tile-lifecycle"' in head


def test_the_header_in_portuguese_writes_money_and_dates_as_a_portuguese_reader(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party(given_name="Lia")
    factories.make_order(party, total=Decimal("1234567.89"))
    due = date(2026, 11, 1)
    factories.make_activity(party, title="Ligar", assignee=admin, due_date=due)
    client = web_client(admin)
    client.cookies["django_language"] = "pt"

    body = client.get(f"/parties/{party.pk}/").content.decode()

    head = body[body.index('class="party-head"') : body.index('class="party-tabs"')]
    assert '<span class="amount">1.234.567,89\u00a0€</span>' in head
    assert "1 nov 2026" in head
    assert "1/11" not in head  # nor 01/11


def test_a_party_with_nothing_yet_has_a_quiet_header(admin: User, web_client: WebClient) -> None:
    party = factories.make_party(given_name="Lia", roles=())

    body = web_client(admin).get(f"/parties/{party.pk}/").content.decode()

    assert '<dd id="party-email">—</dd>' in body
    assert '<dd id="party-phone">—</dd>' in body
    assert '<dd id="party-owner">—</dd>' in body
    assert "Nothing planned" in body
    assert "None yet" in body  # no purchases


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_costs_a_fixed_number_of_queries(
    section: str,
    admin: User,
    web_client: WebClient,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    party = person()
    for _ in range(30):
        factories.make_order(party)
        factories.make_interaction(party)
    factories.make_activity(party, assignee=admin)
    client = web_client(admin)
    client.get(f"/parties/{party.pk}/")  # sessions, caches and the like settled

    with django_assert_max_num_queries(30):
        response = client.get(f"/parties/{party.pk}/?tab={section}")

    assert response.status_code == 200
