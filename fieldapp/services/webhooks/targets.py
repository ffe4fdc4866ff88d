"""Where a delivery connects: resolve the host, check every address, connect to a checked one.

The host is resolved at create and again before every attempt (DNS may change meanwhile), and
the connection goes to the address that was checked, not to whatever a second lookup would
answer (DNS rebinding). TLS still verifies the certificate against the host name. Redirects
are never followed (``http.client`` does not follow them).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable

from fieldapp.core.webhook_urls import IPAddress, Target, UrlRefused, refused_address

Resolver = Callable[[str, int], list[IPAddress]]


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (TCP); empty if it does not resolve."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_address(target: Target, *, resolver: Resolver, allow_loopback: bool) -> IPAddress:
    """The address to connect to; raises ``UrlRefused`` if any address the host has is refused.

    Every address must pass, not just one: otherwise a host answering with a public and a
    private address could be steered to the private one.
    """
    literal = target.literal_address
    addresses = [literal] if literal is not None else resolver(target.host, target.port)
    if not addresses:
        raise UrlRefused("The host name does not resolve.")
    for address in addresses:
        reason = refused_address(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise UrlRefused(reason)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, naming the host in ``Host``."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        """Remember the checked address to connect to."""
        super().__init__(host, port, timeout=timeout)
        self._address = str(address)

    def connect(self) -> None:
        """Connect to the checked address, never to a fresh lookup of the host."""
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, verifying the certificate for the host."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        """Remember the checked address; verify certificates with the default context."""
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = str(address)

    def connect(self) -> None:
        """Connect to the checked address and start TLS for the host name (SNI, verification)."""
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(
    target: Target, address: IPAddress, *, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    """POST the body to the target at the checked address; the status and the first bytes."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target.host, target.port, address=address, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(200)  # a short excerpt at most: the rest is not read or kept
        return response.status, excerpt
    finally:
        connection.close()
