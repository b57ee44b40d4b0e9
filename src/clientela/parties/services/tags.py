"""Tags matched as the search matches names: "VIP", "vip" and "Vïp" are one tag, shown as it was
first written. Every door (forms, API, imports, the bulk writers, segments' rules, the list's
filter) folds a name with `tag_key` and finds or makes the tag with `tags_named`."""

from __future__ import annotations

from collections.abc import Iterable

from clientela.parties.models import Tag
from clientela.parties.services.identity import normalize_text


def tag_key(name: str) -> str:
    """A tag's name folded like the search folds text: case, accents and spacing do not count."""
    return normalize_text(name)


def distinct_tags(names: Iterable[str]) -> list[str]:
    """Each tag once (the first spelling of a folded name wins), in the order of their keys."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(tag_key(name), name)
    return [first[key] for key in sorted(first)]


def tags_named(names: Iterable[str]) -> list[Tag]:
    """The tags of these names, the existing spelling kept; a name never seen before makes a
    tag written as given."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(tag_key(name), name)
    found = {t.key: t for t in Tag.objects.filter(key__in=wanted)}
    missing = [Tag(name=name, key=key) for key, name in wanted.items() if key not in found]
    if missing:
        # Another writer may make the same tag meanwhile: its row wins, then both read it.
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        found |= {t.key: t for t in Tag.objects.filter(key__in=[t.key for t in missing])}
    return [found[key] for key in sorted(wanted)]
