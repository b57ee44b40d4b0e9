"""The e-mail channel against a real local SMTP server: headers, return path, refusals."""

from __future__ import annotations

import pytest

from clientela.consent.models import PreferenceToken
from clientela.messaging.models import Message, SourceKind
from clientela.messaging.services import Content, SendError, drain, enqueue
from clientela.messaging.services.email import SmtpSender, email_sender
from clientela.parties.models import Party
from tests.consent.conftest import grant
from tests.factories import make_party, make_user
from tests.messaging.conftest import Server, free_port

pytestmark = pytest.mark.django_db


def queue(party: Party, purpose: str = "marketing", subject: str = "News") -> Message:
    content = Content(subject=subject, body_text="Hello Ana,\nnew shoes are in.")
    return enqueue(party, "email", purpose, SourceKind.STAFF, content=content)


def test_the_configured_smtp_server_gets_the_sender_over_smtp(smtp_server: Server) -> None:
    assert isinstance(email_sender(), SmtpSender)


def test_a_marketing_email_has_message_id_one_click_unsubscribe_and_verp(
    smtp_server: Server, client: object
) -> None:
    party = make_party(email="ana@example.com")
    grant(party)
    message = queue(party)
    assert drain().counts == {"sent": 1}
    (mail,) = smtp_server.mails
    (mail_from, rcpts) = smtp_server.envelopes[0]
    assert rcpts == ["ana@example.com"]
    assert mail_from == f"bounces+{message.token}@mail.example.com"
    assert mail["Message-ID"] == f"<{message.token}@mail.example.com>"
    assert mail["From"] == "Shop <shop@example.com>"
    assert mail["Subject"] == "News"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in url
    assert PreferenceToken.objects.filter(party=party, list_purpose="marketing").count() == 1
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "new shoes are in." in payload.decode()
    message.refresh_from_db()
    assert message.provider_id == mail["Message-ID"]


def test_a_transactional_email_has_no_list_to_leave(smtp_server: Server) -> None:
    party = make_party(email="ana@example.com")
    queue(party, "transactional")
    drain()
    (mail,) = smtp_server.mails
    assert mail["List-Unsubscribe"] is None
    assert mail["Message-ID"]


def test_a_staff_email_replies_to_its_author(smtp_server: Server) -> None:
    author = make_user(email="joana@shop.example")
    party = make_party(email="ana@example.com")
    content = Content(subject="Your visit", body_text="Thank you.")
    enqueue(party, "email", "transactional", SourceKind.STAFF, content=content, created_by=author)
    drain()
    assert smtp_server.mails[0]["Reply-To"] == "joana@shop.example"


def test_a_4xx_refusal_is_transient_and_retried_later(smtp_server: Server) -> None:
    smtp_server.replies["ana@example.com"] = "452 4.2.2 mailbox full"
    message = queue(make_party(email="ana@example.com"), "transactional")
    drain()
    message.refresh_from_db()
    assert (message.state, message.reason, message.attempts) == ("queued", "mailbox_full", 1)
    assert smtp_server.mails == []


def test_a_5xx_refusal_fails_that_recipient_alone(smtp_server: Server) -> None:
    smtp_server.replies["gone@example.com"] = "550 5.1.1 no such user"
    gone = queue(make_party(email="gone@example.com"), "transactional")
    ana = queue(make_party(email="ana@example.com"), "transactional")
    drain()
    gone.refresh_from_db()
    ana.refresh_from_db()
    assert (gone.state, gone.reason) == ("failed", "rejected")
    assert ana.state == "sent"
    assert [e[1] for e in smtp_server.envelopes] == [["ana@example.com"]]


def test_no_server_is_a_transient_connection_error(settings: object) -> None:
    from tests.messaging.conftest import smtp_settings

    smtp_settings(settings, free_port())  # nobody listens there
    message = queue(make_party(email="ana@example.com"), "transactional")
    message.address = "ana@example.com"
    with pytest.raises(SendError) as refused:
        SmtpSender().send(message)
    assert (refused.value.transient, refused.value.error_class) == (True, "connection")


def test_a_subject_with_a_line_break_is_refused_at_the_door() -> None:
    from clientela.core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        queue(make_party(email="ana@example.com"), subject="Hi\r\nBcc: all@example.com")
    assert refused.value.errors[0].code == "message_subject_lines"
