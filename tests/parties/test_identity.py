"""The normalisers' refusals: a code for each rule, the values it names, a translatable message."""

from __future__ import annotations

import pytest
from django.utils import translation

from clientela.core.errors import Problem
from clientela.parties.services.identity import (
    normalize_contact,
    normalize_email,
    normalize_phone,
    normalize_website,
)


def test_an_invalid_email_says_why_in_its_params() -> None:
    with pytest.raises(Problem) as caught:
        normalize_email("maria at example")

    assert caught.value.code == "email_invalid"
    assert "@" in caught.value.params["reason"]
    with translation.override("pt"):
        assert str(caught.value) == "não é um endereço de e-mail válido"


def test_a_phone_that_is_not_one_and_one_that_does_not_exist_have_their_codes() -> None:
    with pytest.raises(Problem) as unreadable:
        normalize_phone("call me", "PT")
    with pytest.raises(Problem) as invalid:
        normalize_phone("+351 12", "PT")

    assert (unreadable.value.code, unreadable.value.params) == (
        "phone_unreadable",
        {"region": "PT"},
    )
    assert (invalid.value.code, invalid.value.params) == ("phone_invalid", {"region": "PT"})


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://example.com", "example.com"])
def test_a_web_address_must_be_http_or_https(value: str) -> None:
    with pytest.raises(Problem) as caught:
        normalize_website(value)

    assert caught.value.code == "url_scheme"


def test_handles_and_addresses_are_folded_never_refused() -> None:
    assert normalize_contact("social", "@Zoë_Ü") == "zoe_u"
    assert normalize_contact("address", "  Rua  Augusta 1 ") == "rua augusta 1"
