"""A small IMAP4rev1 server on a local port, real enough for imaplib: LOGIN, SELECT,
UID SEARCH UNSEEN, UID FETCH BODY.PEEK[], UID STORE +FLAGS, CLOSE, LOGOUT.

It speaks the protocol over a real socket, so the client code under test runs unchanged; it
keeps its mailbox in memory and records the commands it was sent.
"""

from __future__ import annotations

import shlex
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Mail:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class FakeMailbox:
    user: str = "bounces"
    password: str = "s3cret pass"
    folder: str = "INBOX"
    mails: list[Mail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes) -> Mail:
        mail = Mail(
            uid=len(self.mails) + 1, raw=raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        )
        self.mails.append(mail)
        return mail


class _Handler(socketserver.StreamRequestHandler):
    def _send(self, text: str | bytes) -> None:
        self.wfile.write(text.encode() if isinstance(text, str) else text)

    def handle(self) -> None:
        assert isinstance(self.server, _Server)
        box = self.server.box
        self._send("* OK IMAP4rev1 fake ready\r\n")
        logged_in = selected = False
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            box.commands.append(f"{command} {args}".strip() if command != "LOGIN" else "LOGIN")
            if command == "CAPABILITY":
                self._send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n")
            elif command == "LOGIN":
                user, password = shlex.split(args)
                logged_in = (user, password) == (box.user, box.password)
                self._send(f"{tag} OK logged in\r\n" if logged_in else f"{tag} NO bad login\r\n")
            elif command == "SELECT" and logged_in:
                selected = shlex.split(args)[0] == box.folder
                if selected:
                    self._send(f"* {len(box.mails)} EXISTS\r\n* FLAGS (\\Seen \\Deleted)\r\n")
                    self._send(f"{tag} OK [READ-WRITE] selected\r\n")
                else:
                    self._send(f"{tag} NO no such folder\r\n")
            elif command == "UID" and selected:
                self._uid(tag, args, box)
            elif command == "CLOSE":
                self._send(f"{tag} OK closed\r\n")
            elif command == "LOGOUT":
                self._send(f"* BYE\r\n{tag} OK bye\r\n")
                return
            else:
                self._send(f"{tag} BAD not understood\r\n")

    def _uid(self, tag: str, args: str, box: FakeMailbox) -> None:
        what, _, rest = args.partition(" ")
        what = what.upper()
        if what == "SEARCH":
            found = [m.uid for m in box.mails if "\\Seen" not in m.flags]
            self._send(
                f"* SEARCH {' '.join(map(str, found))}\r\n{tag} OK searched\r\n".replace(
                    "SEARCH \r\n", "SEARCH\r\n"
                )
            )
        elif what == "FETCH":
            uid = int(rest.split(" ")[0])
            for n, mail in enumerate(box.mails, start=1):
                if mail.uid == uid:
                    self._send(f"* {n} FETCH (UID {uid} BODY[] {{{len(mail.raw)}}}\r\n".encode())
                    self._send(mail.raw + b")\r\n")
            self._send(f"{tag} OK fetched\r\n")
        elif what == "STORE":
            uid_text, _, change = rest.partition(" ")
            for n, mail in enumerate(box.mails, start=1):
                if mail.uid == int(uid_text) and change.upper().startswith("+FLAGS"):
                    mail.flags.add("\\Seen")
                    self._send(f"* {n} FETCH (UID {mail.uid} FLAGS (\\Seen))\r\n")
            self._send(f"{tag} OK stored\r\n")
        else:
            self._send(f"{tag} BAD not understood\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    box: FakeMailbox


@contextmanager
def running(box: FakeMailbox) -> Iterator[int]:
    """Serve the mailbox on a free local port while the block runs; yields the port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.box = box
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
