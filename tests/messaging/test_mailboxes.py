"""Reading returned mail from an mbox file and over IMAP (a real socket, a small local server),
the `clientela bounces ingest` command, and the worker's schedule."""

from __future__ import annotations

import json
import mailbox
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from clientela.core.errors import Invalid, Unavailable
from clientela.messaging.models import DeliveryReport, MessageState
from clientela.messaging.services.mailboxes import imap_settings, ingest_imap, ingest_mbox
from clientela.messaging.tasks import schedule_bounce_mailbox
from tests.factories import make_party
from tests.messaging.helpers import sent_message
from tests.messaging.imap_server import FakeMailbox, running
from tests.messaging.samples import SAMPLES

pytestmark = pytest.mark.django_db

SOME = [
    "postfix hard 5.1.1",
    "yahoo arf with rcpt",
    "vacation english",
    "gmail delay",
    "empty mail",
]


def raw_of(name: str) -> bytes:
    return next(r for n, r, _ in SAMPLES if n == name).encode()


def our_messages() -> None:
    """The messages SOME's bounce and complaint name: only reports of ours change anything."""
    sent_message(make_party(email="ana.silva@example.pt"), "tok0001abcdef01")
    sent_message(make_party(email="bruno@example.com"), "tok0038abcdef38")


def write_mbox(path: Path, names: list[str]) -> None:
    box = mailbox.mbox(path)
    for name in names:
        box.add(mailbox.mboxMessage(raw_of(name)))
    box.flush()
    box.close()


def test_an_mbox_is_read_whole_and_reading_it_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bounces.mbox"
    write_mbox(path, SOME)
    our_messages()
    first = ingest_mbox(path)
    assert (first.read, first.kept, first.duplicates) == (5, 3, 0)
    assert first.kinds == {"hard": 1, "complaint": 1, "auto_reply": 1, "delay": 1, "unknown": 1}
    assert first.effects == {
        "message_bounced": 1,
        "message_complained": 1,
        "suppressed": 2,
        "consent_withdrawn": 1,
    }
    again = ingest_mbox(path)
    assert (again.read, again.kept, again.duplicates) == (5, 0, 3)
    assert again.effects == {}
    assert DeliveryReport.objects.count() == 3


def test_a_missing_mbox_is_refused_with_a_code(tmp_path: Path) -> None:
    with pytest.raises(Invalid) as caught:
        ingest_mbox(tmp_path / "nope.mbox")
    assert caught.value.errors[0].code == "mbox_not_found"


def imap_url(port: int, box: FakeMailbox, *, folder: str = "INBOX") -> str:
    return f"imap://{box.user}:{quote(box.password)}@127.0.0.1:{port}/{folder}"


def test_imap_reads_unseen_mail_once_and_flags_it_seen() -> None:
    party = make_party(email="ana.silva@example.pt")
    message = sent_message(party, "tok0001abcdef01")
    box = FakeMailbox()
    for name in ("postfix hard 5.1.1", "vacation english"):
        box.add(raw_of(name))
    with running(box) as port:
        summary = ingest_imap(imap_url(port, box))
        assert (summary.read, summary.kept) == (2, 1)
        assert all("\\Seen" in m.flags for m in box.mails)
        box.add(raw_of("gmail delay"))
        later = ingest_imap(imap_url(port, box))
    assert (later.read, later.kept) == (1, 1)
    message.refresh_from_db()
    assert message.state == MessageState.BOUNCED
    assert "UID SEARCH UNSEEN" in box.commands
    assert any(c.startswith("UID FETCH") and "BODY.PEEK[]" in c for c in box.commands)


def test_a_mail_read_over_imap_and_from_an_mbox_is_the_same_report(tmp_path: Path) -> None:
    box = FakeMailbox()
    box.add(raw_of("exim dsn hard"))  # stored with CRLF line endings, as IMAP sends it
    with running(box) as port:
        ingest_imap(imap_url(port, box))
    path = tmp_path / "same.mbox"
    write_mbox(path, ["exim dsn hard"])
    assert ingest_mbox(path).duplicates == 1


def test_a_wrong_imap_password_is_unavailable_with_a_code_and_no_password() -> None:
    box = FakeMailbox()
    with running(box) as port, pytest.raises(Unavailable) as caught:
        ingest_imap(f"imap://bounces:wrong@127.0.0.1:{port}/INBOX")
    assert caught.value.code == "bounce_imap_unavailable"
    assert "wrong" not in str(caught.value.params)


def test_an_unknown_imap_folder_is_unavailable() -> None:
    box = FakeMailbox()
    with running(box) as port, pytest.raises(Unavailable):
        ingest_imap(imap_url(port, box, folder="Nope"))


def test_an_imap_server_that_is_not_there_is_unavailable() -> None:
    with running(FakeMailbox()) as port:
        pass
    with pytest.raises(Unavailable):
        ingest_imap(f"imap://u:p@127.0.0.1:{port}/INBOX")


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "bounce_imap_not_configured"),
        ("pop3://u:p@host/INBOX", "bounce_imap_url_invalid"),
        ("imaps://host/INBOX", "bounce_imap_url_invalid"),
        ("imaps://u:p@host:notaport/INBOX", "bounce_imap_url_invalid"),
    ],
)
def test_an_unusable_imap_url_is_refused_with_a_code(url: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        imap_settings(url)
    assert caught.value.errors[0].code == code
    assert ":p@" not in str(caught.value.errors[0].value)


def test_imap_url_defaults() -> None:
    config = imap_settings("imaps://bounce%40shop.example:p%2Fw@mail.example")
    assert (config.host, config.port, config.user, config.password, config.folder, config.tls) == (
        "mail.example",
        993,
        "bounce@shop.example",
        "p/w",
        "INBOX",
        True,
    )


def test_the_command_reads_an_mbox_and_prints_a_summary(tmp_path: Path) -> None:
    path = tmp_path / "in.mbox"
    write_mbox(path, SOME)
    our_messages()
    out = StringIO()
    call_command("bounces", "ingest", "--mbox", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["read"], data["kept"], data["effects"]["suppressed"]) == (5, 3, 2)
    out = StringIO()
    call_command("bounces", "ingest", "--mbox", str(path), stdout=out)
    assert "Read 5 mails: 0 reports kept, 3 already read." in out.getvalue()
    assert "Hard bounce: 1" in out.getvalue()


def test_the_command_reads_the_configured_imap_mailbox(settings: Settings) -> None:
    box = FakeMailbox()
    box.add(raw_of("yahoo arf abuse"))
    with running(box) as port:
        settings.CLIENTELA_BOUNCE_IMAP_URL = imap_url(port, box)
        out = StringIO()
        call_command("bounces", "ingest", "--imap", "--json", stdout=out)
    assert json.loads(out.getvalue())["kinds"] == {"complaint": 1}


def test_the_command_without_a_source_or_with_imap_unset_fails_with_the_reason(
    settings: Settings,
) -> None:
    settings.CLIENTELA_BOUNCE_IMAP_URL = ""
    with pytest.raises(CommandError, match="--mbox FILE or --imap"):
        call_command("bounces", "ingest")
    with pytest.raises(CommandError, match="CLIENTELA_BOUNCE_IMAP_URL"):
        call_command("bounces", "ingest", "--imap")


def test_the_worker_polls_imap_only_when_it_is_configured(settings: Settings) -> None:
    settings.CLIENTELA_BOUNCE_IMAP_URL = ""
    assert not schedule_bounce_mailbox()
    settings.CLIENTELA_BOUNCE_IMAP_URL = "imaps://u:p@mail.example/INBOX"
    assert schedule_bounce_mailbox()
    assert not schedule_bounce_mailbox()  # one waiting read is enough
    assert DBTaskResult.objects.filter(task_path__endswith="read_bounce_mailbox_task").count() == 1


def test_the_polling_task_reads_the_mailbox_and_queues_the_next_read(
    settings: Settings,
) -> None:
    from clientela.messaging.tasks import read_bounce_mailbox_task

    box = FakeMailbox()
    box.add(raw_of("postfix hard 5.1.1"))
    with running(box) as port:
        settings.CLIENTELA_BOUNCE_IMAP_URL = imap_url(port, box)
        result = read_bounce_mailbox_task.call()
    assert result == {"read": 1, "kept": 1, "duplicates": 0}
    waiting = DBTaskResult.objects.get(task_path__endswith="read_bounce_mailbox_task")
    assert waiting.run_after is not None
