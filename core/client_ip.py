"""The client's address, for per-address limits: the one function the portal's limits, allauth and DRF use.

`X-Forwarded-For` is believed only when the connection comes from a configured proxy (`TRUSTED_PROXIES`, from
`DJANGO_TRUSTED_PROXIES`: addresses or networks). Then the header is read from the right, past every trusted proxy, and
the first address that is not one is the client: what a caller writes into the header itself stays to its left and is
never used. Anyone reaching the app server directly is known by the address of their connection.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_trusted_proxies(value: str | tuple[str, ...]) -> tuple[Network, ...]:
    """Networks from "10.0.0.1, 10.1.0.0/16" (or a list); ValueError naming an entry that is neither."""
    entries = value.split(",") if isinstance(value, str) else value
    networks = []
    for entry in (item.strip() for item in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"DJANGO_TRUSTED_PROXIES: {entry!r} is not an address or a network") from None
    return tuple(networks)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, proxies: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_ip(request) -> str:
    """The client's address (see the module docstring); "" when the connection has none."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = parse_trusted_proxies(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not proxies or not _trusted(_address(remote), proxies):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:  # a trusted proxy writes addresses: anything else came from the caller
            return client
        client = str(address)
        if not _trusted(address, proxies):
            return client
    return client
