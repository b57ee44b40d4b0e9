"""Changes to many parties at once (a list's bulk actions): tag, untag, assign an owner and team.

Each writes set-based (one UPDATE or INSERT per chunk of ids, not one save per party) and adds
the same change-log line to each party that a single edit would: `{"tags": [before, after]}`,
`{"owner_id": [before, after]}`. The caller passes the parties the user may see
(`visible_parties`) and owns the transaction; the rights are checked here, before any write.
Parties that the change would leave as they were get no line and are not counted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, Team, User
from clientela.accounts.services import require_right, require_write
from clientela.core.errors import FieldError, Invalid, Problem, invalid
from clientela.parties.models import Party, Tag
from clientela.parties.schemas import check_tags
from clientela.parties.services.changes import record_changes

CHUNK = 500  # ids per IN (...): well under SQLite's variable limit


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _ids(parties: QuerySet[Party]) -> list[int]:
    return sorted(parties.values_list("pk", flat=True))


def _checked_tag(name: str) -> str:
    name = name.strip()
    try:
        return check_tags([name])[0]
    except Problem as exc:
        raise Invalid(
            FieldError("tag", name, exc.message, code=exc.code, params=exc.params)
        ) from exc


def _tags_of(ids: Sequence[int]) -> dict[int, list[str]]:
    through = Party.tags.through.objects
    tags: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        for party_id, name in through.filter(party_id__in=chunk).values_list(
            "party_id", "tag__name"
        ):
            tags[party_id].append(name)
    return tags


def _touch(ids: Sequence[int], **fields: Any) -> None:
    now = timezone.now()
    for chunk in _chunks(ids):
        Party.objects.filter(pk__in=chunk).update(updated_at=now, **fields)


def tag_parties(parties: QuerySet[Party], name: str, *, by: User) -> tuple[Tag, list[int]]:
    """Put the tag on each of `parties` (created if new; matched whatever its case);
    the tag and the ids of the parties that did not have it yet."""
    require_write(by)
    name = _checked_tag(name)
    tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if tag is None:
        tag = Tag.objects.create(name=name)
    ids = _ids(parties)
    tags = _tags_of(ids)
    changed = [pk for pk in ids if tag.name not in tags[pk]]
    through = Party.tags.through
    for chunk in _chunks(changed):
        through.objects.bulk_create(
            [through(party_id=pk, tag_id=tag.pk) for pk in chunk], ignore_conflicts=True
        )
    _touch(changed)
    lines = [
        (pk, "updated", _json({"tags": [sorted(tags[pk]), sorted([*tags[pk], tag.name])]}))
        for pk in changed
    ]
    record_changes(lines, actor=by, at=timezone.now())
    return tag, changed


def untag_parties(parties: QuerySet[Party], name: str, *, by: User) -> tuple[Tag, list[int]]:
    """Take the tag off each of `parties`; the tag and the ids of those that had it.
    Invalid when no tag has this name."""
    require_write(by)
    name = name.strip()
    tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if tag is None:
        raise invalid("tag", name, _("is not a tag"), code="tag_not_found")
    ids = _ids(parties)
    tags = _tags_of(ids)
    changed = [pk for pk in ids if tag.name in tags[pk]]
    through = Party.tags.through.objects
    for chunk in _chunks(changed):
        through.filter(tag_id=tag.pk, party_id__in=chunk).delete()
    _touch(changed)
    lines = [
        (
            pk,
            "updated",
            _json({"tags": [sorted(tags[pk]), sorted(t for t in tags[pk] if t != tag.name)]}),
        )
        for pk in changed
    ]
    record_changes(lines, actor=by, at=timezone.now())
    return tag, changed


# A value for `assign_parties` meaning "leave this one as it is".
KEEP: Any = object()


def assign_parties(
    parties: QuerySet[Party], *, owner_id: Any = KEEP, team_id: Any = KEEP, by: User
) -> list[int]:
    """Give each of `parties` the owner and/or the team (None: nobody), as the single edit
    does (Right.ASSIGN; an active user, an existing team); the ids of the parties changed."""
    require_right(by, Right.ASSIGN)
    fields: dict[str, int | None] = {}
    errors = []
    if owner_id is not KEEP:
        if owner_id is not None and not User.objects.filter(pk=owner_id, is_active=True).exists():
            errors.append(
                FieldError("owner_id", owner_id, _("does not exist"), code="owner_not_found")
            )
        fields["owner_id"] = owner_id
    if team_id is not KEEP:
        if team_id is not None and not Team.objects.filter(pk=team_id).exists():
            errors.append(
                FieldError("team_id", team_id, _("does not exist"), code="team_not_found")
            )
        fields["team_id"] = team_id
    if errors:
        raise Invalid(errors)
    if not fields:
        raise invalid("owner_id", None, _("choose an owner, a team or both"), code="assign_nothing")
    rows = list(parties.values_list("pk", "owner_id", "team_id"))
    lines = []
    changed = []
    for pk, owner, team in sorted(rows):
        before = {"owner_id": owner, "team_id": team}
        change = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
        if change:
            changed.append(pk)
            lines.append((pk, "updated", _json(change)))
    _touch(changed, **fields)
    record_changes(lines, actor=by, at=timezone.now())
    return changed


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))
