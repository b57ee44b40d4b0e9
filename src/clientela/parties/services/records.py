"""The party record: create, update and archive, each checked whole before anything is saved."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right, require_write
from clientela.core.errors import FieldError, Invalid, unavailable
from clientela.parties.models import (
    Affiliation,
    ContactKind,
    KeyDate,
    Party,
    PartyAlias,
    PartyKind,
    PartyRole,
    RelationshipRole,
)
from clientela.parties.queries import visible_parties
from clientela.parties.schemas import PartyCreate, PartyFields, PartyUpdate
from clientela.parties.services.admission import refuse_kept_out
from clientela.parties.services.changes import SCALAR_FIELDS, diff, record_change, snapshot
from clientela.parties.services.contacts import refuse_exact_duplicates, replace_contact_points
from clientela.parties.services.custom_fields import validate_custom
from clientela.parties.services.names import display_name, refresh_search_text
from clientela.parties.services.relations import apply_relations, check_affiliations
from clientela.parties.services.tags import tags_named


def create_party(data: PartyCreate, *, by: User) -> Party:
    """Create a party with its nested data; the adapter wraps this in a transaction."""
    require_write(by)
    refuse_exact_duplicates(data, by=by)
    refuse_kept_out(data)  # erased and suppressed people stay out
    party = Party(kind=data.kind, created_by=by)
    if not by.can_assign:
        # Sales and support keep what they create: it is theirs and their team's.
        party.owner = by
        party.team_id = by.team_id
    _apply(party, data, by=by, creating=True)
    return party


def update_party(party: Party, data: PartyUpdate, *, by: User) -> Party:
    """Change the fields that were sent; lists sent replace the whole list."""
    require_write(by)
    refuse_kept_out(data, party)  # an erased or suppressed address is not added either
    _apply(party, data, by=by, creating=False)
    return party


def archive_party(party: Party, *, by: User) -> None:
    """Hide the party from lists and searches; its history is kept (roles with the archive
    right: accounts.models.RIGHTS)."""
    require_right(by, Right.ARCHIVE)
    before = snapshot(party)
    party.archived_at = timezone.now()
    party.save(update_fields=["archived_at", "updated_at"])
    record_change(party=party, actor=by, action="archived", changes=diff(before, snapshot(party)))


def create_prospect(*, given_name: str, family_name: str, language: str, email: str) -> Party:
    """A person who signed up on their own (no staff user acted): a prospect with one e-mail.

    The caller (consent's confirmed sign-up) has already looked for a live party with the
    address; the change log's line has no actor.
    """
    party = Party(
        kind=PartyKind.PERSON, given_name=given_name, family_name=family_name, language=language
    )
    party.display_name = display_name(party)
    party.save()
    PartyRole.objects.create(party=party, role=RelationshipRole.PROSPECT)
    replace_contact_points(party, [{"kind": ContactKind.EMAIL, "value": email}])
    refresh_search_text(party)
    record_change(party, actor=None, action="created")
    return party


def _apply(party: Party, data: PartyFields, *, by: User, creating: bool) -> None:
    """Check every field sent, then save them all, or nothing (Invalid lists each problem)."""
    before = {} if creating else snapshot(party)
    errors = _set_scalars(party, data, creating=creating)
    apply_relations(party, data, by=by, errors=errors)
    _check_external_id(party, errors, by=by)
    custom = _checked_custom(party, data, errors, creating=creating)
    affiliations = (
        check_affiliations(party, data, errors, by=by)
        if "affiliations" in data.model_fields_set
        else None
    )
    if errors:
        raise Invalid(errors)
    if custom is not None:
        party.custom = custom
    party.display_name = display_name(party)
    party.save()
    _save_lists(party, data, affiliations)
    refresh_search_text(party)
    changes = diff(before, snapshot(party))
    if creating or changes:  # a change that changed nothing is not worth a line in the log
        record_change(
            party=party, actor=by, action="created" if creating else "updated", changes=changes
        )


def _set_scalars(party: Party, data: PartyFields, *, creating: bool) -> list[FieldError]:
    sent = data.model_fields_set
    errors: list[FieldError] = []
    for name in SCALAR_FIELDS:
        if name in sent:
            value = getattr(data, name)
            if name == "external_id":
                value = value or None
            setattr(party, name, value if value is not None or name == "external_id" else "")
    if "kind" in sent and not creating:  # PartyUpdate has no kind; a caller may still pass one
        errors.append(
            FieldError(
                "kind", getattr(data, "kind", None), _("cannot be changed"), code="kind_fixed"
            )
        )
    check_name(party, errors)
    return errors


def _check_external_id(party: Party, errors: list[FieldError], *, by: User) -> None:
    if not party.external_id:
        return
    clash = Party.objects.filter(external_id=party.external_id).exclude(pk=party.pk)
    # An alias names a merged party's survivor: another party may not take it either.
    aliased = PartyAlias.objects.filter(external_id=party.external_id).exclude(party=party.pk)
    clash = clash | Party.objects.filter(pk__in=aliased.values("party_id"))
    if not clash.exists():
        return
    if not clash.filter(pk__in=visible_parties(by)).exists():  # another team's: not revealed
        errors.append(unavailable("external_id", party.external_id))
        return
    errors.append(
        FieldError(
            "external_id",
            party.external_id,
            _("is already used by another party"),
            code="external_id_in_use",
        )
    )


def check_name(party: Party, errors: list[FieldError]) -> None:
    if party.kind == PartyKind.PERSON and not (party.given_name or party.family_name):
        errors.append(
            FieldError(
                "given_name",
                party.given_name,
                _("a person needs a given or family name"),
                code="person_name_required",
            )
        )
    if party.kind == PartyKind.ORGANIZATION and not party.organization_name:
        errors.append(
            FieldError(
                "organization_name",
                party.organization_name,
                _("an organization needs a name"),
                code="organization_name_required",
            )
        )


def _checked_custom(
    party: Party, data: PartyFields, errors: list[FieldError], *, creating: bool
) -> dict[str, Any] | None:
    if "custom" not in data.model_fields_set and not creating:
        return None
    custom = validate_custom(
        party.kind, data.custom or {}, current=party.custom if not creating else {}
    )
    if isinstance(custom, list):
        errors.extend(custom)
        return None
    return custom


def _save_lists(party: Party, data: PartyFields, affiliations: list[Affiliation] | None) -> None:
    """Replace each list that was sent: tags, roles, contact points, key dates, affiliations."""
    if data.tags is not None:
        party.tags.set(tags_named(data.tags))
    if data.roles is not None:
        party.roles.all().delete()
        PartyRole.objects.bulk_create(
            PartyRole(party=party, role=r.role, since=r.since, until=r.until) for r in data.roles
        )
    if data.contact_points is not None:
        replace_contact_points(party, [p.model_dump() for p in data.contact_points])
    if data.key_dates is not None:
        party.key_dates.all().delete()
        KeyDate.objects.bulk_create(KeyDate(party=party, **k.model_dump()) for k in data.key_dates)
    if affiliations is not None:
        party.affiliations.all().delete()
        Affiliation.objects.bulk_create(affiliations)
