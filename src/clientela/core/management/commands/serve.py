"""`clientela serve`: the production web server (gunicorn) in front of clientela.wsgi, with the
background worker beside it (core.workers) unless --no-worker or CLIENTELA_SERVE_WORKER=0."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from clientela.core.management.base import ClientelaCommand
from clientela.core.workers import start_worker


def default_workers() -> int:
    """One process per core, at least two: threads inside each absorb waiting on I/O."""
    return max(2, os.cpu_count() or 1)


def pending_migrations() -> list[str]:
    """The migrations the database still needs, as 'app.name'."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


def gunicorn_argv(
    *, host: str, port: int, workers: int, threads: int, timeout: int, access_log: bool
) -> list[str]:
    """The command line that serves the app; gthread workers suit both SQLite and PostgreSQL."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "clientela.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "20",
        "--error-logfile",
        "-",
    ]
    if access_log:
        argv += ["--access-logfile", "-"]
    return argv


class Command(ClientelaCommand):
    help = "Serve the web app and the API with gunicorn (production server, not runserver)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="worker processes (default: one per CPU core, at least 2: %(default)s)",
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="threads per worker (default: %(default)s)"
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=60,
            help="seconds before a stuck request's worker is restarted (default: %(default)s)",
        )
        parser.add_argument("--no-access-log", action="store_true", help="do not log each request")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker beside the server (when `clientela worker` "
            "runs on its own; also CLIENTELA_SERVE_WORKER=0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("port", "workers", "threads", "timeout"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1, got {options[name]}")
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"the database needs {len(pending)} migration(s) ({', '.join(pending[:5])}"
                f"{', …' if len(pending) > 5 else ''}): run `clientela migrate` "
                "(or `clientela init`) first"
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            timeout=options["timeout"],
            access_log=not options["no_access_log"],
        )
        with_worker = settings.CLIENTELA_SERVE_WORKER and not options["no_worker"]
        self.stdout.write(f"Serving Clientela at http://{options['host']}:{options['port']}/")
        if with_worker:
            self.stdout.write("Background worker started beside it (--no-worker to leave it out)")
        self.stdout.flush()
        for conn in connections.all():
            conn.close()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
        if with_worker:
            # Its own process, which the kernel stops when the server's process ends.
            start_worker()
        # Replace this process: gunicorn then receives signals (Ctrl-C, SIGTERM) directly.
        os.execv(sys.executable, argv)  # noqa: S606  (fixed argv, no shell)
