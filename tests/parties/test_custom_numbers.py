"""A custom number field through the API: a number past what the decimal context holds is a 422,
never a 500."""

from __future__ import annotations

import pytest

from clientela.accounts.models import User
from clientela.parties.models import CustomField, Party
from tests.api.problems import assert_invalid, send
from tests.api.test_parties import ApiClient, full_person


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1e999999999999999999", "custom_number_too_large"),
        ("-1e999999999999999999", "custom_number_too_large"),
        (1e300, "custom_number_too_large"),
        ("1e99999999999999999999", "custom_number_invalid"),
    ],
)
def test_a_custom_number_too_large_is_a_422(
    manager: User, api_client: ApiClient, value: object, code: str
) -> None:
    CustomField.objects.create(key="shoe_size", label="Shoe size", type="number")
    body = full_person(custom={"shoe_size": value})
    response = send(api_client(manager), "POST", "/api/v1/parties", body)
    assert assert_invalid(response, "custom.shoe_size", value)["code"] == code
    assert not Party.objects.exists()
