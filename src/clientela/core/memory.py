"""Freed memory kept for reuse during one bulk computation, instead of handed back (glibc).

glibc gives every large block back to the kernel as soon as it is freed: a NumPy array of a
few million values, say. The next such array is mapped afresh and faulted in page by page,
which on a virtual machine costs as much as the arithmetic done on it (about 2.5 ns a byte on
the machine of docs/benchmarks.md). Inside `memory_kept_for_reuse()` large blocks come from
the heap, and freed ones stay there for the next; on leaving, the heap is trimmed, so the
memory goes back to the system once the work is done. Elsewhere than glibc (musl, macOS) it
changes nothing.

Any mallopt() call turns glibc's self-adjusting thresholds off for good, so on leaving they are
set where that adjustment takes them in a process that has freed large blocks: blocks under
32 MiB from the heap, the heap trimmed beyond 64 MiB free. The settings are the process's: one
computation at a time should use this (the refresh runs alone in its worker).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import platform
import threading
from collections.abc import Iterator
from typing import Any

from django.core.signals import request_finished

# mallopt() parameters (malloc.h), glibc's default for M_MMAP_MAX and, for the thresholds,
# the largest values its own adjustment reaches on 64-bit systems.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_MMAP_MAX = -4
DEFAULT_MMAP_MAX = 65_536
ADJUSTED_MMAP_THRESHOLD = 32 * 2**20
ADJUSTED_TRIM_THRESHOLD = 2 * ADJUSTED_MMAP_THRESHOLD
KEEP_FREED = 2**31 - 1  # the largest trim threshold mallopt takes: never trim


def _glibc() -> Any:
    """The process's C library when it is glibc, else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


@contextlib.contextmanager
def memory_kept_for_reuse() -> Iterator[bool]:
    """Large blocks from the heap, freed ones kept, until the block ends; yields whether
    the setting took effect (it does only with glibc)."""
    libc = _glibc()
    if libc is None:
        yield False
        return
    libc.mallopt(M_MMAP_MAX, 0)
    libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREED)
    try:
        yield True
    finally:
        libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
        libc.mallopt(M_MMAP_THRESHOLD, ADJUSTED_MMAP_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, ADJUSTED_TRIM_THRESHOLD)
        libc.malloc_trim(0)


def settle_heap() -> None:
    """Move what the process holds once it has started (Django, the apps, their modules and
    settings: about 100,000 objects) out of the garbage collector's reach, for good.

    A full collection walks every tracked object; with the app loaded that is 70-90 ms of CPU,
    and it fell inside about one request in a hundred: My day's p99 was 140-180 ms against a
    median of 45-60 ms (docs/benchmarks.md). Frozen objects are never walked again, so a full
    collection only walks what requests made since. Called once a server process has loaded
    the app (wsgi.py, asgi.py), after a collection of what loading left behind."""
    gc.collect()
    gc.freeze()


WARM_UP_REQUESTS = 50  # requests a server process answers before it settles its heap again
_answered = 0
_answered_lock = threading.Lock()


def _count_answer(**_signal: object) -> None:
    global _answered
    with _answered_lock:
        _answered += 1
        if _answered != WARM_UP_REQUESTS:
            return
    request_finished.disconnect(_count_answer)
    settle_heap()


def settle_heap_after_warm_up() -> None:
    """Settle the heap again once this process has answered its first WARM_UP_REQUESTS
    requests, after the last of them has left (request_finished).

    Much is loaded by the first requests, not at start: each API route's schemas and
    validators, URL patterns, translation catalogues, compiled queries (core.prepared),
    templates. Left in the collector's reach, every full collection walks them again; My day's
    p99 through the WSGI application was 10-15 ms above its p90 with the start-up freeze alone
    (docs/benchmarks.md). The one collection this costs runs once per process, after an
    answer was sent."""
    request_finished.connect(_count_answer, dispatch_uid="clientela.core.memory.warm_up")
