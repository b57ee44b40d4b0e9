#!/usr/bin/env bash
# `make audit`: known vulnerabilities in the locked dependencies, and bandit over src.
#
# pip-audit checks every pin of $AUDIT_REQUIREMENTS (default requirements.lock) against
# $AUDIT_SERVICE's vulnerability database (`pypi`, the default, or `osv`), installing nothing.
# When that database cannot be reached, or does not know the locked versions (a registry mirror),
# it says so and goes on: bandit still runs and decides the exit status. Bandit reads its
# settings from pyproject.toml ([tool.bandit]).
set -uo pipefail

BIN="${BIN:-.venv/bin}"
SERVICE="${AUDIT_SERVICE:-pypi}"
REQUIREMENTS="${AUDIT_REQUIREMENTS:-requirements.lock}"
case "$SERVICE" in
    pypi | osv) ;;
    *) echo "AUDIT_SERVICE must be pypi or osv, not $SERVICE" >&2; exit 2 ;;
esac

# Whether the database answers for the first pin of the requirements.
database_answers() {
    "$BIN/python" - "$SERVICE" "$REQUIREMENTS" <<'PYTHON'
import json
import re
import sys
import urllib.request

service, requirements = sys.argv[1:]
pin = re.compile(r"([A-Za-z0-9_.-]+)==([A-Za-z0-9_.+!-]+)")
with open(requirements) as lines:
    name, version = next(m.groups() for m in map(pin.match, lines) if m)
if service == "pypi":
    probe = urllib.request.Request(f"https://pypi.org/pypi/{name}/{version}/json")
else:
    query = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
    probe = urllib.request.Request("https://api.osv.dev/v1/query", json.dumps(query).encode())
try:
    urllib.request.urlopen(probe, timeout=15)  # noqa: S310  (a fixed https address)
except OSError as exc:  # no network, or an HTTP error such as 404 for an unknown version
    print(f"  {probe.full_url}: {exc}")
    sys.exit(1)
PYTHON
}

status=0
echo "pip-audit: $REQUIREMENTS against the $SERVICE vulnerability database"
if database_answers; then
    # --strict: a pin the database cannot look up fails the audit instead of being skipped.
    "$BIN/pip-audit" --requirement "$REQUIREMENTS" --no-deps --disable-pip --strict \
        --vulnerability-service "$SERVICE" --progress-spinner off || status=1
else
    echo "pip-audit did not run: the $SERVICE vulnerability database cannot be reached from" \
        "this machine, or does not know the locked versions. Run \`make audit\` where it can."
fi

echo "bandit: src (settings in pyproject.toml)"
"$BIN/bandit" -c pyproject.toml -r src -q || status=1
exit "$status"
