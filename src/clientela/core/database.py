"""Writers taking turns on one database, and what a request does when it cannot get its turn.

SQLite lets one writer in at a time. Every transaction starts with BEGIN IMMEDIATE (settings),
so a writer waits for the lock, up to CLIENTELA_DB_BUSY_TIMEOUT seconds, instead of failing
half-way. Long writes (an import, orders/bulk) are cut into slices of about
CLIENTELA_WRITE_SLICE_SECONDS, each its own transaction (`write_slice`, `SliceClock`), and
before each slice the writers that wait go first: while a writer waits for the lock it holds
the database's turnstile shared (`Turnstile`, core/sqlite), and a long write takes it alone,
for a moment, before its next slice (waiting up to CLIENTELA_WRITE_YIELD_SECONDS for the
writers queued there). SQLite's own waiting is a poll every 100 ms, so without the turnstile
a long write would win the lock again and again. On PostgreSQL, where writers
lock rows and not the database, the slices of one long write stay one transaction
(`long_write`); there two transactions can still deadlock, or fail to serialise, and such a
request is run again from the start (`core.middleware.DatabaseContention`, at most
CLIENTELA_DB_RETRIES times). A request that still cannot get its turn is answered 503 with
Retry-After, never 500.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Unavailable

log = logging.getLogger("clientela.database")

# PostgreSQL's codes for "run the transaction again": serialization_failure, deadlock_detected.
RETRYABLE = frozenset({"40001", "40P01"})
UNIQUE_VIOLATION = "23505"  # two requests inserting the same key: the second sees the first
LOCK_NOT_AVAILABLE = "55P03"
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def sqlstate(exc: BaseException) -> str:
    """PostgreSQL's code for an error (from the driver's error Django wraps), else ""."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if code:
            return str(code)
        seen = seen.__cause__
    return ""


def is_busy(exc: BaseException) -> bool:
    """True when the database refused because another writer held the lock too long."""
    if not isinstance(exc, OperationalError):
        return False
    return sqlstate(exc) == LOCK_NOT_AVAILABLE or any(text in str(exc) for text in SQLITE_BUSY)


def is_retryable(exc: BaseException) -> bool:
    """True when running the whole transaction again can succeed (PostgreSQL)."""
    if not isinstance(exc, DatabaseError):
        return False
    code = sqlstate(exc)
    return code in RETRYABLE or (isinstance(exc, IntegrityError) and code == UNIQUE_VIOLATION)


def busy() -> Unavailable:
    """The answer of a request that could not get its turn to write."""
    seconds = retry_after()
    return Unavailable(
        _("the database is busy with other writes; try again in %(seconds)s seconds"),
        code="database_busy",
        params={"seconds": seconds},
        retry_after=seconds,
    )


NOT_REPEATABLE = "clientela_not_repeatable"


def not_repeatable(request: HttpRequest) -> None:
    """Say that this request cannot be run again (it reads its body as a stream, which is gone
    after the first try): a deadlock then answers 503, and the client sends it again."""
    setattr(request, NOT_REPEATABLE, True)


def is_repeatable(request: HttpRequest) -> bool:
    return not getattr(request, NOT_REPEATABLE, False)


def retry_after() -> int:
    return int(settings.CLIENTELA_RETRY_AFTER_SECONDS)


def takes_turns() -> bool:
    """True when writers lock the whole database (SQLite): long writes go in slices."""
    return connection.vendor == "sqlite"


def long_write() -> contextlib.AbstractContextManager[object]:
    """Around all the slices of a long write: one transaction on PostgreSQL (other writers go
    on beside it), nothing on SQLite (each slice commits on its own)."""
    return contextlib.nullcontext() if takes_turns() else transaction.atomic()


@contextlib.contextmanager
def write_slice() -> Iterator[None]:
    """One slice of a long write, in its own transaction; on SQLite the writers that wait for
    the lock go first."""
    turnstile = getattr(connection, "turnstile", None)
    if turnstile is not None and not connection.in_atomic_block:
        turnstile.let_waiting_writers_in(settings.CLIENTELA_WRITE_YIELD_SECONDS)
    with transaction.atomic():
        yield


class Turnstile:
    """Where the writers of one SQLite database queue for its write lock (a file beside it,
    locked with flock): each holds it shared while it waits; a long write takes it alone
    between two slices, which it gets once every writer that was waiting has the lock.

    One per connection (each thread's): flock locks belong to an open file, and each opening
    locks apart.
    """

    def __init__(self, database: str) -> None:
        self.path = f"{database}-turnstile"
        self.fd: int | None = None

    def _file(self) -> int:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self.fd

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Hold the turnstile shared while waiting for the write lock."""
        fd = self._file()
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def let_waiting_writers_in(self, longest: float) -> float:
        """Wait until no writer waits at the turnstile (they have had their turn), or `longest`
        seconds; returns the seconds waited."""
        fd = self._file()
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= longest:
                    return waited
                time.sleep(0.002)
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)
                return time.monotonic() - started

    def has_waiting_writers(self) -> bool:
        """True when a writer waits for the write lock at this moment."""
        fd = self._file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class SliceClock:
    """How many rows the next slice of a long write takes, so that each slice holds the lock
    about CLIENTELA_WRITE_SLICE_SECONDS: measured on the slices already written."""

    def __init__(self, first: int, *, least: int = 50, most: int = 100_000) -> None:
        self.rows = first
        self.least, self.most = least, most
        self.target = float(settings.CLIENTELA_WRITE_SLICE_SECONDS)
        self.started = 0.0
        self.longest = 0.0

    def size(self) -> int:
        return self.rows

    @contextlib.contextmanager
    def slice(self) -> Iterator[None]:
        """A slice in its own transaction (`write_slice`), timed to size the next."""
        started = time.perf_counter()
        with write_slice():
            yield
            self.took(self.rows, time.perf_counter() - started)

    def took(self, rows: int, seconds: float) -> None:
        """Learn from a slice of `rows` rows that held the lock `seconds`."""
        self.longest = max(self.longest, seconds)
        if seconds <= 0 or rows <= 0:
            return
        wanted = rows * self.target / seconds
        # Grow gently (a slow start may be a cold cache), shrink at once.
        wanted = min(wanted, rows * 2)
        self.rows = int(max(self.least, min(self.most, wanted)))


class Slices:
    """The slices of a long write that writes as it goes (an import on SQLite), each its own
    transaction: a piece of work (`write`) joins the slice that is open, or opens one (the
    writers that wait go first). The slice ends after a piece when another writer waits for
    the lock, or when the slice has done CLIENTELA_WRITE_SLICE_SECONDS of work (this process's
    CPU time: a loaded machine does not cut it into more, smaller commits, each of which
    rewrites the index pages it touched), or has lasted WALL_LIMIT times that. Between two
    pieces the slice stays open; the caller waiting for something else calls `idle` now and
    then (it ends the slice when a writer waits) and `end` at the end.

    `journal()` is called last in each slice's transaction (a record of how to take the slice
    back goes with it); what it returns is kept in `committed` once the slice is committed.
    """

    WALL_LIMIT = 2

    def __init__(self, journal: Callable[[], object]) -> None:
        self.journal = journal
        self.target = float(settings.CLIENTELA_WRITE_SLICE_SECONDS)
        self.committed: list[object] = []
        self.lengths: list[float] = []  # seconds each slice held the lock
        self._open: contextlib.ExitStack | None = None
        self._started = 0.0
        self._worked = 0.0  # the process's CPU time when the slice began
        self._depth = 0

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """One piece of the long write, inside the open slice (or a new one). Pieces may nest:
        the outermost decides whether the slice ends after it."""
        if self._open is None:
            stack = contextlib.ExitStack()
            stack.enter_context(write_slice())
            self._open, self._started = stack, time.perf_counter()
            self._worked = time.process_time()
        self._depth += 1
        try:
            yield
        except BaseException:
            if self._depth == 1:  # an inner piece's error may be handled by the outer one
                self._abandon()
            raise
        finally:
            self._depth -= 1
        if self._depth == 0 and (self._is_done() or self._others_wait()):
            self.end()

    def is_open(self) -> bool:
        return self._open is not None

    def idle(self) -> None:
        """Between pieces, while waiting for something else: end the open slice when a writer
        waits for the lock, or when it has lasted long enough."""
        if self._open is not None and (self._others_wait() or self._is_done()):
            self.end()

    def _is_done(self) -> bool:
        worked = time.process_time() - self._worked
        lasted = time.perf_counter() - self._started
        return worked >= self.target or lasted >= self.WALL_LIMIT * self.target

    def end(self) -> None:
        """Commit the open slice, with its journal, if one is open."""
        if self._open is None:
            return
        stack, self._open = self._open, None
        try:
            token = self.journal()
        except BaseException:
            stack.__exit__(*sys.exc_info())
            raise
        stack.close()  # the commit
        self.committed.append(token)
        held = time.perf_counter() - self._started
        self.lengths.append(held)
        log.info("a slice of a long write held the write lock: %.3f s", held)

    def _abandon(self) -> None:
        """Roll the open slice back (an error inside it)."""
        if self._open is not None:
            stack, self._open = self._open, None
            stack.__exit__(*sys.exc_info())

    @staticmethod
    def _others_wait() -> bool:
        turnstile = getattr(connection, "turnstile", None)
        return turnstile is not None and turnstile.has_waiting_writers()
