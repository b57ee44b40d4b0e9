"""A personal e-mail from the customer page and the API: access, CSRF, preview, the gate."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from clientela.accounts.models import Role
from clientela.messaging.models import Message
from clientela.messaging.services import MemorySender, drain
from tests.factories import api_client, make_party, make_user

pytestmark = pytest.mark.django_db


def signed_in(role: str = Role.ADMIN, **fields: object) -> tuple[Client, object]:
    user = make_user(role=role, **fields)  # type: ignore[arg-type]  # keyword fields of make_user
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client, user


def csrf(client: Client, url: str) -> str:
    client.get(url)
    return str(client.cookies["csrftoken"].value)


def test_staff_preview_then_send_and_the_worker_delivers_it(memory_sender: MemorySender) -> None:
    client, user = signed_in(email="joana@shop.example")
    party = make_party(email="ana@example.com")
    url = f"/messages/parties/{party.pk}/email/"
    token = csrf(client, url)
    form = {"subject": "Your repair", "body": "It is ready.", "purpose": "transactional"}
    preview = client.post(url, {**form, "action": "preview", "csrfmiddlewaretoken": token})
    assert preview.status_code == 200
    assert b"ana@example.com" in preview.content
    assert b"It is ready." in preview.content
    assert Message.objects.count() == 0
    sent = client.post(url, {**form, "action": "send", "csrfmiddlewaretoken": token})
    assert sent.status_code == 302
    assert sent["Location"] == f"/parties/{party.pk}/?tab=messages"
    message = Message.objects.get()
    assert (message.subject, message.created_by_id, message.state) == (
        "Your repair",
        user.pk,  # type: ignore[attr-defined]  # a User
        "queued",
    )
    drain()
    assert [m.subject for m in memory_sender.sent] == ["Your repair"]
    page = client.get(f"/parties/{party.pk}/?tab=messages")
    assert page.status_code == 200
    assert b"Your repair" in page.content


def test_the_preview_warns_when_the_gate_would_skip_it(memory_sender: MemorySender) -> None:
    client, _user = signed_in()
    party = make_party(email="ana@example.com", roles=())
    url = f"/messages/parties/{party.pk}/email/"
    token = csrf(client, url)
    form = {"subject": "Offer", "body": "Half price.", "purpose": "marketing"}
    preview = client.post(url, {**form, "action": "preview", "csrfmiddlewaretoken": token})
    assert b"would be skipped" in preview.content


def test_a_post_without_csrf_is_refused() -> None:
    client, _user = signed_in()
    party = make_party(email="ana@example.com")
    answer = client.post(
        f"/messages/parties/{party.pk}/email/", {"subject": "x", "body": "y", "action": "send"}
    )
    assert answer.status_code == 403
    assert Message.objects.count() == 0


def test_a_subject_with_a_line_break_is_shown_next_to_the_field() -> None:
    client, _user = signed_in()
    party = make_party(email="ana@example.com")
    url = f"/messages/parties/{party.pk}/email/"
    token = csrf(client, url)
    answer = client.post(
        url,
        {
            "subject": "Hi\r\nBcc: x@example.com",
            "body": "y",
            "action": "send",
            "csrfmiddlewaretoken": token,
        },
    )
    assert answer.status_code == 422
    assert b"must be one line" in answer.content
    assert Message.objects.count() == 0


def test_a_viewer_may_not_write() -> None:
    client, _user = signed_in(Role.VIEWER)
    party = make_party(email="ana@example.com")
    assert client.get(f"/messages/parties/{party.pk}/email/").status_code == 403


def test_a_party_the_user_may_not_see_is_not_found_on_page_and_api() -> None:
    owner = make_user(role=Role.SALES, team="North")
    party = make_party(email="ana@example.com", owner=owner)
    client, other = signed_in(Role.SALES, team="South")
    assert client.get(f"/messages/parties/{party.pk}/email/").status_code == 404
    api = api_client(other)  # type: ignore[arg-type]  # a User
    body = {"subject": "x", "body": "y"}
    post = api.post(f"/api/v1/parties/{party.pk}/messages", body, content_type="application/json")
    assert post.status_code == 404
    assert api.get(f"/api/v1/parties/{party.pk}/messages").status_code == 404
    assert Message.objects.count() == 0


def test_the_api_queues_lists_and_the_timeline_shows_what_was_sent(
    memory_sender: MemorySender,
) -> None:
    user = make_user(role=Role.ADMIN)
    party = make_party(email="ana@example.com")
    api = api_client(user)
    body = {"subject": "Invoice", "body": "Attached below.", "purpose": "transactional"}
    created = api.post(
        f"/api/v1/parties/{party.pk}/messages", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "queued"
    drain()
    listed = api.get(f"/api/v1/parties/{party.pk}/messages").json()
    assert [(m["subject"], m["state"]) for m in listed["items"]] == [("Invoice", "sent")]
    timeline = api.get(f"/api/v1/parties/{party.pk}/timeline").json()
    entries = [e for e in timeline["items"] if e["kind"] == "message"]
    assert [(e["title"], e["body"], e["channel"]) for e in entries] == [
        ("Invoice", "Attached below.", "email")
    ]


def test_the_api_refuses_an_unknown_field_and_names_it() -> None:
    user = make_user(role=Role.ADMIN)
    party = make_party(email="ana@example.com")
    body = {"subject": "x", "body": "y", "state": "sent"}
    answer = api_client(user).post(
        f"/api/v1/parties/{party.pk}/messages", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 422
    assert Message.objects.count() == 0


def test_the_messages_section_says_why_a_message_was_skipped(
    memory_sender: MemorySender,
) -> None:
    client, user = signed_in()
    party = make_party(email="ana@example.com", roles=())
    api = api_client(user)  # type: ignore[arg-type]  # a User
    body = {"subject": "Offer", "body": "Half price.", "purpose": "marketing"}
    api.post(f"/api/v1/parties/{party.pk}/messages", body, content_type="application/json")
    drain()
    page = client.get(f"/parties/{party.pk}/?tab=messages")
    assert b"Offer" in page.content
    assert b"The party never gave consent for this purpose on this channel." in page.content
    assert memory_sender.sent == []
