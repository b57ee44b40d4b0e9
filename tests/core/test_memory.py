"""memory_kept_for_reuse: large freed blocks stay with the process, until the block ends."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import numpy as np
import pytest

from clientela.core.memory import memory_kept_for_reuse

MIB = 2**20


def resident() -> int:
    """This process's resident memory, in bytes (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def churn() -> None:
    """Make and drop a 256 MiB array, every page touched."""
    block = np.ones(256 * MIB // 8)
    del block


def test_freed_large_blocks_are_kept_inside_and_handed_back_after() -> None:
    if not Path("/proc/self/statm").exists():
        pytest.skip("needs Linux's /proc")
    base = resident()
    churn()
    assert resident() - base < 64 * MIB  # by default glibc hands a large block straight back
    with memory_kept_for_reuse() as kept:
        if not kept:
            pytest.skip("not glibc: nothing to keep")
        churn()
        assert resident() - base > 200 * MIB  # freed, and still the process's
        churn()  # the same memory again: no more taken
        assert resident() - base < 300 * MIB
    assert resident() - base < 64 * MIB  # trimmed on the way out
    churn()
    assert resident() - base < 64 * MIB  # blocks over 32 MiB are handed back again


def test_after_it_blocks_of_a_few_mib_are_reused_rather_than_faulted_in_again() -> None:
    with memory_kept_for_reuse() as kept:
        if not kept:
            pytest.skip("not glibc: nothing to keep")
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        block = np.ones(MIB)  # 8 MiB, every page touched
        del block
    # Mapped afresh each time, the 20 blocks fault about 10,000 times here (with transparent
    # huge pages; 40,960 times without); reused from the heap, a few hundred.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults < 3_000


@pytest.mark.django_db  # request_finished's other receivers look at the connection
def test_a_server_process_settles_its_heap_again_once_after_its_first_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.signals import request_finished

    from clientela.core import memory

    settled: list[int] = []
    monkeypatch.setattr(memory, "_answered", 0)
    monkeypatch.setattr(memory, "settle_heap", lambda: settled.append(memory._answered))
    memory.settle_heap_after_warm_up()
    memory.settle_heap_after_warm_up()  # wsgi and asgi both loaded: still one receiver
    for _ in range(memory.WARM_UP_REQUESTS - 1):
        request_finished.send(sender=None)
    assert settled == []
    request_finished.send(sender=None)
    assert settled == [memory.WARM_UP_REQUESTS]
    for _ in range(5):
        request_finished.send(sender=None)
    assert settled == [memory.WARM_UP_REQUESTS]  # once per process, then disconnected
