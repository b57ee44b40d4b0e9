"""The daily clean-up: unconfirmed sign-ups and dead links go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.consent.models import PreferenceToken, SignupRequest
from clientela.consent.schemas import SignupIn
from clientela.consent.services import Proof, issue_token, start_signup
from clientela.consent.services.privacy import forget_stale_data
from clientela.consent.tasks import forget_stale_data_task, schedule_daily_clean_up
from tests import factories

pytestmark = pytest.mark.django_db


def test_stale_sign_ups_and_links_are_forgotten_and_live_ones_kept() -> None:
    data = SignupIn.model_validate({"email": "a@example.com", "wording": {"text": "Yes."}})
    stale = start_signup(data, proof=Proof(ip="192.0.2.1"))
    fresh = start_signup(data, proof=Proof(ip="192.0.2.1"))
    assert stale is not None
    assert fresh is not None
    SignupRequest.objects.filter(pk=stale.signup.pk).update(
        expires_at=timezone.now() - timedelta(days=2)
    )
    party = factories.make_party()
    issue_token(party, purpose="preferences")
    issue_token(party, purpose="preferences", days=-31)
    assert forget_stale_data() == {"signups": 1, "links": 1}
    assert list(SignupRequest.objects.values_list("pk", flat=True)) == [fresh.signup.pk]
    assert PreferenceToken.objects.count() == 1


def test_the_clean_up_is_queued_once() -> None:
    from django_tasks_db.models import DBTaskResult

    assert schedule_daily_clean_up() is True
    assert schedule_daily_clean_up() is False
    assert DBTaskResult.objects.filter(task_path=forget_stale_data_task.module_path).count() == 1
