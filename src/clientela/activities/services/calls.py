"""Working through a call list, and recording how a call went (from a list or from My day).

Every call is checked against the consent gate when it is made: a party whose phone consent
was withdrawn after the list was built is skipped, with the gate's reason. A refusal becomes a
recorded objection to phone contact (consent's own service writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.activities.models import (
    Activity,
    ActivityKind,
    AttentionSnooze,
    CallList,
    CallListItem,
    CallOutcome,
    ItemStatus,
    SourceKind,
)
from clientela.activities.queries import PENDING, user_zone
from clientela.activities.schemas import ActivityComplete, ActivityCreate, CallOutcomeIn
from clientela.activities.services.activities import (
    cancel_activity,
    complete_activity,
    create_activity,
)
from clientela.activities.services.call_lists import next_calling_window
from clientela.consent.models import (
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentSource,
    ConsentStatus,
    Purpose,
)
from clientela.consent.services import (
    current_consents,
    may_contact,
    party_zone,
    record_consent,
    record_contact,
)
from clientela.core.errors import Conflict, NotFound, invalid
from clientela.core.ids import is_id
from clientela.interactions.models import Channel, Direction, Interaction
from clientela.interactions.schemas import InteractionCreate
from clientela.interactions.services import log_interaction
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties

# Gate reasons that only say "not now": the item stays on the list for later.
NOT_NOW = frozenset({"quiet_hours", "weekly_cap", "monthly_cap", "paused"})
LOOKAHEAD = 25  # pending items examined for one "next call"
OPEN_ITEMS = (ItemStatus.PENDING, ItemStatus.CALL_BACK)


def visible_call_lists(user: User) -> QuerySet[CallList]:
    """Call lists of the user's team; all of them for those who see every party."""
    rows = CallList.objects.select_related("team")
    if not user.is_active:
        return rows.none()
    if user.sees_all_parties:
        return rows
    return rows.filter(Q(team_id=user.team_id) if user.team_id is not None else Q(pk__in=[]))


def get_visible_call_list(user: User, list_id: int) -> CallList:
    found = visible_call_lists(user).filter(pk=list_id).first() if is_id(list_id) else None
    if found is None:
        raise NotFound(
            _("call list %(id)s not found"), code="call_list_not_found", params={"id": list_id}
        )
    return found


def visible_items(user: User, call_list: CallList) -> QuerySet[CallListItem]:
    """The list's items whose party the user may see."""
    return call_list.items.filter(party__in=visible_parties(user)).select_related(
        "party", "assignee", "activity"
    )


def get_visible_item(user: User, item_id: int) -> CallListItem:
    found = (
        CallListItem.objects.filter(
            pk=item_id,
            call_list__in=visible_call_lists(user),
            party__in=visible_parties(user),
        )
        .select_related("call_list", "party", "assignee", "activity")
        .first()
        if is_id(item_id)
        else None
    )
    if found is None:
        raise NotFound(
            _("call %(id)s not found"), code="call_item_not_found", params={"id": item_id}
        )
    return found


def _skip(item: CallListItem, reason: str, by: User) -> None:
    """Take the item off the list for good, with the gate's reason; its call is called off."""
    item.status, item.reason = ItemStatus.SKIPPED, reason
    item.save(update_fields=["status", "reason", "updated_at"])
    if item.activity is not None and item.activity.status in PENDING:
        cancel_activity(item.activity, by=by)


@dataclass
class NextCall:
    """The caller's next call, and the items skipped on the way (each with its reason)."""

    item: CallListItem | None
    skipped: list[CallListItem]
    later: list[CallListItem]


def next_call(call_list: CallList, user: User) -> NextCall:
    """The user's next pending call of the list, soonest first, checked against the gate now."""
    rows = (
        visible_items(user, call_list)
        .filter(assignee=user, status__in=OPEN_ITEMS, activity__status__in=PENDING)
        .order_by("activity__due_at", "id")
    )
    skipped: list[CallListItem] = []
    later: list[CallListItem] = []
    for item in rows[:LOOKAHEAD]:
        decision = may_contact(item.party, purpose=call_list.purpose, channel=ConsentChannel.PHONE)
        if decision.allowed:
            return NextCall(item, skipped, later)
        if decision.reason in NOT_NOW:
            later.append(item)
            continue
        _skip(item, decision.reason, user)
        skipped.append(item)
    return NextCall(None, skipped, later)


@dataclass
class CallResult:
    """What recording a call did; `skipped` holds the gate's reason when it was refused."""

    item: CallListItem | None
    interaction: Interaction | None
    follow_up: Activity | None
    skipped: str = ""


def _call_back_moment(data: CallOutcomeIn, user: User) -> datetime:
    moment = data.call_back_at
    assert moment is not None  # noqa: S101  (CallOutcomeIn requires it for call_back)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=user_zone(user))
    if moment <= timezone.now():
        raise invalid(
            "call_back_at",
            moment.isoformat(),
            _("must be in the future"),
            code="call_back_in_past",
        )
    return moment


def _outcome_text(data: CallOutcomeIn, when: datetime | None) -> str:
    label = str(CallOutcome(data.outcome).label)
    if when is not None:
        return str(_("Call back at %(when)s")) % {"when": when.strftime("%Y-%m-%d %H:%M")}
    return label


def _log_call(
    party: Party, activity: Activity | None, text: str, notes: str, by: User
) -> Interaction:
    """Complete the call's activity (which logs it), or log a call that had none."""
    if activity is not None and activity.status in PENDING:
        done, _next = complete_activity(
            activity,
            ActivityComplete(outcome=text, notes=notes, channel=Channel.PHONE),
            by=by,
        )
        assert done.interaction is not None  # noqa: S101  (completing always logs one)
        return done.interaction
    interaction, _created = log_interaction(
        InteractionCreate(
            party_id=party.pk,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            subject=str(_("Phone call")),
            outcome=text,
            notes=notes,
        ),
        by=by,
    )
    return interaction


def _plan_call(
    party: Party, title: str, when: datetime, zone: ZoneInfo, by: User, call_list: CallList | None
) -> Activity:
    """A call at `when`, due in `zone` (the caller's for a call back, the party's for a retry)."""
    local = when.astimezone(zone)
    activity, _created = create_activity(
        ActivityCreate(
            party_id=party.pk,
            kind=ActivityKind.CALL,
            title=title,
            due_date=local.date(),
            due_time=local.time().replace(second=0, microsecond=0),
            time_zone=zone.key,
            source_kind=SourceKind.CALL_LIST if call_list else SourceKind.STAFF,
            source_id=call_list.pk if call_list else None,
        ),
        by=by,
    )
    return activity


def _object_to_phone(party: Party, by: User) -> None:
    """A refusal on the phone: 'no' to phone contact for every purpose not already refused."""
    current = current_consents(party)
    for purpose in CONTACT_PURPOSES:
        record = current.get((purpose, ConsentChannel.PHONE))
        if record is not None and record.status == ConsentStatus.WITHDRAWN:
            continue
        record_consent(
            party,
            purpose=purpose,
            channel=ConsentChannel.PHONE,
            status=ConsentStatus.WITHDRAWN,
            source=ConsentSource.STAFF,
            actor=by,
            note="refused on a phone call",
        )


# Why a personal call (from My day, not a call list) still deserves a warning: the customer
# said no to phone contact, or the number may not be called. "Never given" is not among them:
# an account manager calls customers who never opted in to marketing about their orders.
WARN_PERSONAL_CALL = frozenset({"withdrawn", "suppressed", "erased", "paused", "quiet_hours"})


def personal_call_warning(party: Party) -> str:
    """What the gate says against calling this party now for marketing, in words, or "" when
    nothing does (the call page shows it above the outcome form)."""
    decision = may_contact(party, purpose=Purpose.MARKETING, channel=ConsentChannel.PHONE)
    if decision.allowed or decision.reason not in WARN_PERSONAL_CALL:
        return ""
    return decision.explanation


def record_call(
    party: Party,
    data: CallOutcomeIn,
    *,
    by: User,
    item: CallListItem | None = None,
    activity: Activity | None = None,
) -> CallResult:
    """Record a call's outcome: log it on the timeline, then act on it.

    A list's call is checked against the gate first: refused, nothing is logged and the item
    is skipped with the gate's reason (in `skipped`). Reached: done. No answer: another
    attempt in the next calling window, until the list's limit. Call back: a call planned at
    that moment. Wrong number: done. Refused: done, and an objection to phone contact is
    recorded.
    """
    require_write(by)
    call_list = item.call_list if item is not None else None
    if item is not None:
        if item.status not in OPEN_ITEMS:
            raise Conflict(
                _("this call is already %(status)s"),
                code="call_item_closed",
                params={"status": item.get_status_display()},
            )
        activity = item.activity
        decision = may_contact(party, purpose=item.call_list.purpose, channel=ConsentChannel.PHONE)
        if not decision.allowed and decision.reason not in NOT_NOW:
            _skip(item, decision.reason, by)
            return CallResult(item, None, None, skipped=decision.reason)
    when = _call_back_moment(data, by) if data.outcome == CallOutcome.CALL_BACK else None
    interaction = _log_call(party, activity, _outcome_text(data, when), data.notes, by)
    follow_up = None
    status = {
        CallOutcome.REACHED: ItemStatus.REACHED,
        CallOutcome.WRONG_NUMBER: ItemStatus.WRONG_NUMBER,
        CallOutcome.REFUSED: ItemStatus.REFUSED,
        CallOutcome.CALL_BACK: ItemStatus.CALL_BACK,
    }.get(CallOutcome(data.outcome), ItemStatus.PENDING)
    title = (
        call_list.name if call_list else str(_("Call back %(name)s")) % {"name": party.display_name}
    )
    if when is not None:
        follow_up = _plan_call(party, title, when, user_zone(by), by, call_list)
    if data.outcome == CallOutcome.REFUSED:
        _object_to_phone(party, by)
    if item is not None:
        item.attempts += 1
        item.last_outcome = data.outcome
        if data.outcome == CallOutcome.NO_ANSWER:
            follow_up, status = _retry(item, by)
        if data.outcome == CallOutcome.REACHED:
            record_contact(party, purpose=item.call_list.purpose, channel=ConsentChannel.PHONE)
        item.status = status
        item.activity = follow_up or item.activity
        item.save()
    return CallResult(item, interaction, follow_up)


def _retry(item: CallListItem, by: User) -> tuple[Activity | None, ItemStatus]:
    """Another attempt in the party's next calling window, unless the limit is reached."""
    if item.attempts >= item.call_list.max_attempts:
        return None, ItemStatus.UNREACHABLE
    zone = party_zone(item.party)
    window = next_calling_window(item.party, timezone.now().astimezone(zone).date())
    if window is None:
        return None, ItemStatus.UNREACHABLE
    retry = _plan_call(item.party, item.call_list.name, window[0], zone, by, item.call_list)
    return retry, ItemStatus.PENDING


def erase_call_items(party: Party) -> None:
    """Take the person off every call list and My day (erasure); the lists themselves stay."""
    CallListItem.objects.filter(party=party).delete()
    AttentionSnooze.objects.filter(party=party).delete()
