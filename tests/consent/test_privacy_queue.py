"""The privacy queue is a record (issue 12): handled requests stay listed with who did what
and when, an erasure asks before it erases, and a request is logged by finding the person."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client

from clientela.accounts.models import User
from clientela.consent.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from clientela.consent.services import open_request
from clientela.parties.models import Party
from tests.factories import make_party

Web = Callable[[User], Client]


def _erasure(manager: User) -> PrivacyRequest:
    party = make_party(given_name="Zebulon", family_name="Quixwort", email="zeb@example.org")
    with transaction.atomic():
        return open_request(
            party, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, by=manager
        )


@pytest.mark.django_db
def test_completing_an_erasure_asks_first_and_erases_only_when_confirmed(
    manager: User, web_client: Web
) -> None:
    row = _erasure(manager)
    client = web_client(manager)
    url = f"/privacy-requests/{row.pk}/"
    asked = client.post(url, {"action": "complete", "note": "asked by phone"})
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Erase Zebulon Quixwort for good?" in html
    assert 'name="confirmed" value="yes"' in html
    row.refresh_from_db()
    assert row.status == RequestStatus.OPEN
    assert Party.objects.filter(given_name="Zebulon").exists()  # nothing erased yet

    done = client.post(url, {"action": "complete", "confirmed": "yes", "note": "asked by phone"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == RequestStatus.COMPLETED
    assert not Party.objects.filter(given_name="Zebulon").exists()


@pytest.mark.django_db
def test_a_handled_erasure_stays_in_the_queue_with_who_and_when(
    manager: User, admin: User, web_client: Web
) -> None:
    row = _erasure(manager)
    web_client(manager).post(
        f"/privacy-requests/{row.pk}/", {"action": "complete", "confirmed": "yes"}
    )
    row.refresh_from_db()
    assert row.status == RequestStatus.COMPLETED
    for status in ("completed", ""):
        queue = web_client(admin).get(f"/privacy-requests/?status={status}")
        html = queue.content.decode()
        assert f'href="/privacy-requests/{row.pk}/"' in html, status
        assert "manager@example.com" in html  # handled by
    detail = web_client(admin).get(f"/privacy-requests/{row.pk}/")
    assert detail.status_code == 200
    assert "Completed" in detail.content.decode()


@pytest.mark.django_db
def test_a_request_is_logged_by_finding_the_person_by_name_or_e_mail(
    manager: User, web_client: Web
) -> None:
    party = make_party(given_name="Inês", family_name="Sousa", email="ines.sousa@example.org")
    make_party(given_name="Rui", family_name="Lobo")
    client = web_client(manager)
    choices = client.get("/privacy-requests/people/", {"q": "ines sousa"})
    html = choices.content.decode()
    assert f'name="party_id" value="{party.pk}"' in html
    assert "ines.sousa@example.org" in html
    assert "Rui" not in html
    by_mail = client.get("/privacy-requests/people/", {"q": "ines.sousa@example.org"})
    assert f'value="{party.pk}"' in by_mail.content.decode()
    logged = client.post(
        "/privacy-requests/", {"party_id": str(party.pk), "kind": "access", "note": ""}
    )
    assert logged.status_code == 302
    assert PrivacyRequest.objects.get().party == party
    queue = client.get("/privacy-requests/")
    assert "Party number" not in queue.content.decode()
    assert 'id="party-search"' in queue.content.decode()


@pytest.mark.django_db
def test_the_person_search_shows_only_parties_the_user_may_see(
    sales_a: User, sales_b: User, web_client: Web
) -> None:
    make_party(given_name="Hidden", family_name="Person", team=sales_b.team)
    html = web_client(sales_a).get("/privacy-requests/people/", {"q": "hidden"}).content.decode()
    assert "Hidden" not in html
    assert "No one you can see matches" in html
