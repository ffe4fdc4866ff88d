"""Where webhooks may be sent: https only, never to private, loopback or metadata addresses.

Pure rules, no network: ``check_url`` reads a URL as given, ``refused_address`` judges one IP
address. The service resolves the host (at create and again before every attempt) and runs
every address through ``refused_address``, then connects to the address it checked, so a DNS
answer that changes between check and use cannot point a delivery inside the network (SSRF).
Loopback (and plain http to it) is allowed only when the configuration says so (development,
tests, the demo).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
#: Cloud metadata services, refused even where link-local addresses were somehow allowed.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(ValueError):
    """The URL may not receive webhooks; the message says why, for the caller."""


@dataclass(frozen=True)
class Target:
    """A checked URL, split into what a connection needs."""

    scheme: str
    host: str
    port: int
    path: str  # with any query string

    @property
    def literal_address(self) -> IPAddress | None:
        """The host as an IP address, if it is one."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def check_url(url: str, *, allow_loopback: bool) -> Target:
    """The target of an acceptable URL; raises ``UrlRefused`` saying what is wrong."""
    if len(url) > MAX_URL_LENGTH or not url.isprintable() or any(c.isspace() for c in url):
        raise UrlRefused(f"Give a URL of at most {MAX_URL_LENGTH} characters, without spaces.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused("This is not a valid URL.") from exc
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in {"https", "http"} or not host:
        raise UrlRefused("Give an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("Put no user name or password in the URL; deliveries are signed.")
    if parts.fragment:
        raise UrlRefused("Leave out the #fragment.")
    target = Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )
    loopback = host in LOOPBACK_NAMES or _is_loopback(target.literal_address)
    if parts.scheme == "http" and not (loopback and allow_loopback):
        raise UrlRefused("Give an https:// URL (plain http only to this machine, in development).")
    if host in METADATA_HOSTS:
        raise UrlRefused("This host is a cloud metadata service.")
    if loopback and not allow_loopback:
        raise UrlRefused("This URL points at this machine (loopback).")
    address = target.literal_address
    if address is not None and (reason := refused_address(address, allow_loopback=allow_loopback)):
        raise UrlRefused(reason)
    return target


def _is_loopback(address: IPAddress | None) -> bool:
    """Whether an address (or an IPv4-mapped IPv6 one) is loopback."""
    return address is not None and _unmapped(address).is_loopback


def _unmapped(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped IPv6 address, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def refused_address(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why a webhook may not connect to this address, or None if it may."""
    address = _unmapped(address)
    if address.is_loopback:
        return None if allow_loopback else "The host resolves to this machine (loopback)."
    if address.is_link_local:  # includes 169.254.169.254, the cloud metadata address
        return "The host resolves to a link-local (metadata) address."
    if address.is_private or address.is_reserved or address.is_multicast:
        return "The host resolves to a private or reserved address."
    if address.is_unspecified or not address.is_global:
        return "The host resolves to an address that is not public."
    return None
