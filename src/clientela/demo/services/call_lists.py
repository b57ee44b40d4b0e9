"""The demo's call list: the Portuguese rep's customers who are slipping away, to call this
week, behind their phone consent (most agreed, one withdrew). Built after the metrics, through
the consent and activities services, as staff would."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clientela.accounts.models import User
from clientela.activities.models import CallList
from clientela.activities.schemas import CallListCreate
from clientela.activities.services import build_call_list
from clientela.analytics.models import CustomerMetrics, LifecycleState
from clientela.consent.models import ConsentChannel, ConsentSource, ConsentStatus, Purpose
from clientela.consent.services import record_consent, store_wording
from clientela.parties.models import ContactKind, Party

REP = "sales.pt@"  # the rep whose My day and call list the demo fills
SIZE = 40
SCRIPT = (
    "Hello, this is {you} from the shop. We have not heard from you for a while and wanted to "
    "ask how the last order went.\n"
    "- Anything we could have done better?\n"
    "- Tell them about this month's offer on the new range.\n"
    "- If now is a bad time, ask when to call back."
)
WORDING = "You may call me about offers and news from the shop."


def add_call_list() -> CallList | None:
    """Phone consent for the rep's customers with a number, then their call list."""
    rep = User.objects.filter(email__startswith=REP).first()
    if rep is None or rep.team_id is None:
        return None
    slipping = list(
        CustomerMetrics.objects.filter(
            party__team_id=rep.team_id,
            party__contact_points__kind=ContactKind.PHONE,
            lifecycle_state__in=(LifecycleState.AT_RISK, LifecycleState.INACTIVE),
        )
        .order_by("-clv", "party_id")
        .values_list("party_id", flat=True)
        .distinct()[:SIZE]
    )
    if not slipping:
        return None
    wording = store_wording(WORDING, version="demo-phone-1", language="en")
    for n, party in enumerate(Party.objects.filter(pk__in=slipping).order_by("pk")):
        record_consent(
            party, purpose=Purpose.MARKETING, channel=ConsentChannel.PHONE,
            status=ConsentStatus.GRANTED, source=ConsentSource.STAFF, wording=wording, actor=rep,
        )  # fmt: skip
        if n == 1:  # one customer changed their mind: the list leaves them out, with why
            record_consent(
                party, purpose=Purpose.MARKETING, channel=ConsentChannel.PHONE,
                status=ConsentStatus.WITHDRAWN, source=ConsentSource.STAFF, actor=rep,
            )  # fmt: skip
    today = timezone.localdate()
    data = CallListCreate(
        name="Customers slipping away: call this week",
        team_id=rep.team_id,
        starts_on=today,
        ends_on=today + timedelta(days=6),
        script=SCRIPT.format(you=rep.full_name or rep.email),
        party_ids=slipping,
    )
    return build_call_list(data, by=rep)
