"""The background worker started beside the web server (`clientela serve`), and stopped with it.

`clientela serve` runs `clientela worker` as a child process before it becomes the web server
(gunicorn replaces its process, keeping its id): the kernel sends the child SIGTERM when that
process ends, however it ends (Ctrl-C, SIGTERM, a crash, SIGKILL), and the worker finishes the
task in hand and stops. Without it, web imports over the inline size would wait at "Waiting to
run" and the nightly refresh would never come. CLIENTELA_SERVE_WORKER=0 or `serve --no-worker`
leaves it out, for a deployment that runs `clientela worker` as a service of its own.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable

# prctl(2): PR_SET_PDEATHSIG, the signal a process gets when its parent thread ends (Linux).
PR_SET_PDEATHSIG = 1


def worker_argv() -> list[str]:
    """The command line of `clientela worker` with this interpreter and these settings."""
    return [sys.executable, "-m", "django", "worker"]


def _stop_with(parent: int) -> Callable[[], None]:
    """Run in the child before it starts: ask for SIGTERM when `parent` ends (Linux), and stop
    at once if it already has."""

    def arrange() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(0)

    return arrange


def start_worker() -> subprocess.Popen[bytes]:
    """Start `clientela worker` as a child of this process, which stops when this one ends."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    return subprocess.Popen(  # noqa: S603  (a fixed command line: this Python, `-m django worker`)
        worker_argv(),
        env=env,
        preexec_fn=_stop_with(os.getpid()),
    )


# Work the worker does besides django-tasks' queue, each round: a feature's step drains what it
# can (until `should_stop()` says the worker is stopping) and answers how much it did. The
# messaging app's outbox is one. Filled in AppConfig.ready().
WorkerStep = Callable[[Callable[[], bool]], int]
WORKER_STEPS: dict[str, WorkerStep] = {}


def register_worker_step(name: str, step: WorkerStep) -> None:
    """Make `clientela worker` run `step` in every round, between the queue's tasks."""
    WORKER_STEPS[name] = step


def run_worker_steps(should_stop: Callable[[], bool]) -> int:
    """Run every registered step once; returns how much they did in all."""
    done = 0
    for step in WORKER_STEPS.values():
        if should_stop():
            break
        done += step(should_stop)
    return done
