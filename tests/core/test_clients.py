"""The client's address: the connection's, unless a trusted reverse proxy forwarded another."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from clientela.core.clients import client_address

PROXY = "10.0.0.5"


def _address(remote: str, forwarded: str | None = None) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


def test_without_trusted_proxies_the_forwarded_header_is_ignored() -> None:
    assert _address("198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_a_trusted_proxy_is_believed_about_the_client(settings: Settings) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert _address(PROXY, "203.0.113.9") == "203.0.113.9"


def test_an_untrusted_peer_cannot_choose_its_address(settings: Settings) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert _address("198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_what_the_client_wrote_before_the_proxy_is_not_believed(settings: Settings) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = [PROXY]

    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
    assert _address(PROXY, "1.2.3.4, 203.0.113.9") == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_client(settings: Settings) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]

    assert _address(PROXY, "1.2.3.4, 203.0.113.9, 2001:db8::1, 10.1.1.1") == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9:4711", "203.0.113.9"),
        ("[2001:db8:1::7]:443", "2001:db8:1::7"),
        ("not-an-address", PROXY),
        ("", PROXY),
    ],
)
def test_forwarded_addresses_with_ports_or_garbage(
    settings: Settings, forwarded: str, expected: str
) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = [PROXY]

    assert _address(PROXY, forwarded) == expected


def test_a_bad_trusted_proxy_setting_stops_the_start() -> None:
    from clientela.settings import _trusted_proxies

    assert _trusted_proxies(" 10.0.0.1, 192.168.0.0/16 ,") == ["10.0.0.1", "192.168.0.0/16"]
    with pytest.raises(ValueError, match=r"CLIENTELA_TRUSTED_PROXIES: 'proxy\.local'"):
        _trusted_proxies("proxy.local")
