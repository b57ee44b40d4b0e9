"""Who is asking: the client's address, as the connection or a trusted reverse proxy tells it.

Behind a reverse proxy every request comes from the proxy's address, so a throttle keyed on
it would let one attacker lock everybody out. A proxy listed in CLIENTELA_TRUSTED_PROXIES
(addresses or networks) is believed about the address it forwards in X-Forwarded-For; nobody
else is, since any client can send that header. The chain is read from the right: each hop
a trusted proxy added is skipped, and the first address no trusted proxy vouches for is the
client's.
"""

from __future__ import annotations

from functools import cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address


@cache
def _networks(listed: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(entry, strict=False) for entry in listed)


def trusted_proxies() -> tuple[Network, ...]:
    """The networks of the reverse proxies whose X-Forwarded-For is believed (default none)."""
    return _networks(tuple(getattr(settings, "CLIENTELA_TRUSTED_PROXIES", ())))


def _parsed(value: str) -> Address | None:
    """An address as a proxy writes it: bare, or with a port ("192.0.2.1:5000", "[::1]:80")."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return ip_address(value)
    except ValueError:
        return None


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or the one a trusted proxy forwarded."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_proxies()
    peer = _parsed(remote)
    if not networks or peer is None or not _is_trusted(peer, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _parsed(hop)
        if address is None:
            break  # not an address: nothing further left is believed
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
