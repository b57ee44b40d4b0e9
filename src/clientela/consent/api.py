"""REST routes: a party's consents and preferences, privacy requests, public sign-up and
one-click unsubscribe."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from clientela.accounts.services import require_write
from clientela.consent.forms import proof_of
from clientela.consent.models import ConsentSource, PrivacyRequest, RequestChannel, TokenPurpose
from clientela.consent.presenters import (
    decision_out,
    preferences_out,
    record_out,
    request_out,
    state_out,
)
from clientela.consent.schemas import (
    ConsentCreate,
    ConsentRecordOut,
    ConsentsOut,
    PreferencesIn,
    PreferencesOut,
    PrivacyRequestAct,
    PrivacyRequestCreate,
    PrivacyRequestOut,
    RequestFilters,
    RequestPage,
    SignupIn,
    SignupOut,
    UnsubscribeIn,
    UnsubscribeOut,
)
from clientela.consent.services import (
    act_on_request,
    consent_history,
    current_consents,
    gate_overview,
    get_preferences,
    json_file,
    open_request,
    record_consent,
    resolve_token,
    send_confirmation,
    start_signup,
    unsubscribe,
    update_preferences,
    visible_requests,
)
from clientela.consent.services.ratelimit import count_public_request
from clientela.consent.services.signup import is_ip_flooding
from clientela.consent.services.wordings import find_wording, store_wording
from clientela.core.clients import client_address
from clientela.core.errors import NotFound, Throttled
from clientela.core.openapi import problems
from clientela.core.pagination import id_page
from clientela.core.requests import current_user
from clientela.parties.queries import get_visible_party

parties = Router(tags=["consent"])
privacy = Router(tags=["privacy requests"])
public = Router(tags=["public"])


def _consents(party: Any) -> dict[str, object]:
    return {
        "current": [state_out(r) for r in current_consents(party).values()],
        "gate": [
            decision_out(row.purpose, channel, decision)
            for row in gate_overview(party)
            for channel, decision in row.decisions
        ],
        "history": [record_out(r) for r in consent_history(party)],
    }


@parties.get("/{party_id}/consents", response=ConsentsOut, summary="A party's consents")
def list_consents(request: HttpRequest, party_id: int) -> dict[str, object]:
    """The state in force per purpose and channel, the gate's answer now, and the history."""
    party = get_visible_party(current_user(request), party_id)
    return _consents(party)


@parties.post(
    "/{party_id}/consents",
    response={201: ConsentRecordOut},
    summary="Record a consent",
    openapi_extra=problems(403, 409),
)
def create_consent(
    request: HttpRequest, party_id: int, payload: ConsentCreate
) -> Status[dict[str, object]]:
    """Append a yes or no. A yes by consent needs the wording (text, or the hash of a stored
    one). A suppressed contact cannot be granted again here."""
    user = current_user(request)
    require_write(user)
    with transaction.atomic():
        party = get_visible_party(user, party_id)
        wording = None
        if payload.wording is not None:
            wording = store_wording(
                payload.wording.text,
                version=payload.wording.version,
                language=payload.wording.language,
            )
        elif payload.wording_sha256:
            wording = find_wording(payload.wording_sha256)
        record = record_consent(
            party,
            purpose=payload.purpose,
            channel=payload.channel,
            status=payload.status,
            legal_basis=payload.legal_basis,
            source=ConsentSource(payload.source),
            wording=wording,
            actor=user,
            note=payload.note,
            at=payload.recorded_at,
        )
    return Status(201, record_out(record))


@parties.get("/{party_id}/preferences", response=PreferencesOut, summary="A party's preferences")
def read_preferences(request: HttpRequest, party_id: int) -> dict[str, object]:
    party = get_visible_party(current_user(request), party_id)
    return preferences_out(get_preferences(party))


def _write_preferences(
    request: HttpRequest, party_id: int, payload: PreferencesIn, *, replace: bool
) -> dict[str, object]:
    user = current_user(request)
    require_write(user)
    with transaction.atomic():
        party = get_visible_party(user, party_id)
        prefs = update_preferences(party, payload, replace=replace)
    return preferences_out(prefs)


@parties.put(
    "/{party_id}/preferences",
    response=PreferencesOut,
    summary="Replace preferences",
    openapi_extra=problems(403),
)
def replace_preferences(
    request: HttpRequest, party_id: int, payload: PreferencesIn
) -> dict[str, object]:
    """Fields not sent go back to none."""
    return _write_preferences(request, party_id, payload, replace=True)


@parties.patch(
    "/{party_id}/preferences",
    response=PreferencesOut,
    summary="Change preferences",
    openapi_extra=problems(403),
)
def change_preferences(
    request: HttpRequest, party_id: int, payload: PreferencesIn
) -> dict[str, object]:
    return _write_preferences(request, party_id, payload, replace=False)


@privacy.get("", response=RequestPage, summary="List privacy requests")
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> dict[str, object]:
    rows = visible_requests(current_user(request), status=filters.status)
    page = id_page(rows, cursor=filters.cursor, limit=filters.limit, descending=False)
    return {**page, "items": [request_out(r) for r in page["items"]]}


@privacy.post(
    "",
    response={201: PrivacyRequestOut},
    summary="Log a privacy request",
    openapi_extra=problems(403, 404, 409),
)
def create_request(
    request: HttpRequest, payload: PrivacyRequestCreate
) -> Status[dict[str, object]]:
    user = current_user(request)
    with transaction.atomic():
        party = get_visible_party(user, payload.party_id)
        row = open_request(
            party, kind=payload.kind, channel=RequestChannel.API, by=user, note=payload.note
        )
    return Status(201, request_out(row))


def _visible_request(request: HttpRequest, request_id: int) -> PrivacyRequest:
    row = visible_requests(current_user(request)).filter(pk=request_id).first()
    if row is None:
        raise NotFound(
            gettext_lazy("privacy request %(id)s not found"),
            code="privacy_request_not_found",
            params={"id": request_id},
        )
    return row


@privacy.get("/{request_id}", response=PrivacyRequestOut, summary="Get a privacy request")
def read_request(request: HttpRequest, request_id: int) -> dict[str, object]:
    return request_out(_visible_request(request, request_id))


@privacy.post(
    "/{request_id}/act",
    response=PrivacyRequestOut,
    summary="Complete or reject",
    openapi_extra=problems(403, 409),
)
def act(request: HttpRequest, request_id: int, payload: PrivacyRequestAct) -> dict[str, object]:
    """Managers and admins only. Completing an erasure erases the party at once."""
    with transaction.atomic():
        row = _visible_request(request, request_id)
        act_on_request(row, action=payload.action, by=current_user(request), note=payload.note)
    return request_out(row)


@privacy.get("/{request_id}/export", summary="Everything kept about the request's party")
def export(request: HttpRequest, request_id: int) -> FileResponse:
    """The access / portability export as JSON (the web queue offers it as a CSV zip too),
    streamed: read in batches into a temporary file, then sent, whatever the party's size."""
    row = _visible_request(request, request_id)
    response = FileResponse(json_file(row.party), content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


@public.post(
    "/signups",
    auth=None,
    response={202: SignupOut},
    summary="Sign up (double opt-in; no authentication)",
)
def signup(request: HttpRequest, payload: SignupIn) -> Status[dict[str, str]]:
    """Records the wording shown and e-mails a confirmation link; consent starts only once the
    link is confirmed. The answer is the same whether or not the address is known."""
    count_public_request("signup", client_address(request))
    proof = proof_of(request)
    if is_ip_flooding(proof.ip or ""):
        raise Throttled(
            gettext_lazy("too many sign-ups; try again later"),
            code="signups_throttled",
            retry_after=settings.CLIENTELA_SIGNUP_WINDOW,
        )
    with transaction.atomic():
        started = start_signup(payload, proof=proof)
    if started is not None:
        send_confirmation(started)  # ConfirmationNotSent answers 503
    return Status(202, {"status": "pending", "detail": _("check your inbox to confirm")})


@public.post(
    "/unsubscribe",
    auth=None,
    response={200: UnsubscribeOut, 404: UnsubscribeOut},
    summary="Unsubscribe with the token of an unsubscribe link (no authentication)",
)
def unsubscribe_api(request: HttpRequest, payload: UnsubscribeIn) -> Status[dict[str, str]]:
    """Idempotent: a second call answers the same and records nothing."""
    count_public_request("unsubscribe", client_address(request))
    with transaction.atomic():
        token = resolve_token(payload.token, purpose=TokenPurpose.UNSUBSCRIBE)
        if token is None:
            return Status(404, {"status": "invalid_or_expired"})
        unsubscribe(
            token.party,
            purpose=token.list_purpose,
            source=ConsentSource.UNSUBSCRIBE_LINK,
            proof=proof_of(request),
        )
    return Status(200, {"status": "unsubscribed"})
