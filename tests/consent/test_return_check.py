"""The question other features ask of consent: is this address suppressed, since when, why,
and has the person come back since (a new sign-up they confirmed)?"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.consent.models import SignupRequest, SuppressionReason
from clientela.consent.schemas import SignupIn
from clientela.consent.services import (
    Proof,
    confirm_signup,
    start_signup,
    suppress,
    suppression_standing,
)
from clientela.consent.services.return_check import keeps_out

pytestmark = pytest.mark.django_db
EMAIL = "back@example.org"


def _sign_up(email: str = EMAIL) -> str:
    data = SignupIn.model_validate({"email": email, "wording": {"text": "Yes, the newsletter."}})
    started = start_signup(data, proof=Proof(ip="203.0.113.9"))
    assert started is not None
    return started.token


def test_an_address_never_suppressed_has_no_standing() -> None:
    assert suppression_standing([("email", EMAIL)]) == {}


def test_a_suppressed_address_says_since_when_and_why() -> None:
    row = suppress("email", EMAIL, reason=SuppressionReason.HARD_BOUNCE)
    standing = suppression_standing([("email", EMAIL), ("phone", "+351913579246")])
    assert list(standing) == [("email", EMAIL)]
    found = standing[("email", EMAIL)]
    assert (found.reason, found.since, found.came_back_at) == ("hard_bounce", row.at, None)
    assert keeps_out([("email", EMAIL)])[("email", EMAIL)].code == "contact_hard_bounced"


def test_a_new_sign_up_confirmed_since_the_suppression_is_a_return() -> None:
    suppress("email", EMAIL, reason=SuppressionReason.COMPLAINT)
    confirmed = confirm_signup(_sign_up(), proof=Proof(ip="203.0.113.9"))
    assert confirmed is not None
    # Whether or not the confirmation lifted the suppression, the person came back.
    standing = suppression_standing([("email", EMAIL)])
    assert all(s.came_back_at is not None for s in standing.values())
    assert keeps_out([("email", EMAIL)]) == {}


def test_a_sign_up_made_before_the_suppression_is_not_a_return() -> None:
    token = _sign_up()
    SignupRequest.objects.update(created_at=timezone.now() - timedelta(hours=1))
    suppress("email", EMAIL, reason=SuppressionReason.MANUAL)
    # Confirmed afterwards: an old link, not the person coming back since.
    SignupRequest.objects.update(confirmed_at=timezone.now())
    assert token
    standing = suppression_standing([("email", EMAIL)])
    assert standing[("email", EMAIL)].came_back_at is None
    assert keeps_out([("email", EMAIL)])[("email", EMAIL)].code == "contact_on_suppression_list"


def test_an_unconfirmed_sign_up_is_not_a_return() -> None:
    suppress("email", EMAIL, reason=SuppressionReason.ERASED, keep_value=False)
    _sign_up()
    assert keeps_out([("email", EMAIL)])[("email", EMAIL)].code == "contact_erased"
