"""Webhook URLs: https to public addresses only; loopback and http only when configured."""

from __future__ import annotations

import ipaddress

import pytest

from fieldapp.core.webhook_urls import UrlRefused, check_url, refused_address


def test_an_https_url_is_split_into_its_target() -> None:
    target = check_url("https://Hooks.Example.org:8443/in?x=1", allow_loopback=False)
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.org",
        8443,
        "/in?x=1",
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/x",
        "ftp://hooks.example.org/x",
        "https:///x",
        "https://u:p@hooks.example.org/x",
        "https://hooks.example.org/x#frag",
        "https://hooks.example.org/a b",
        "https://10.0.0.1/x",
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest",
        "https://[fd00::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://metadata.google.internal/x",
        "https://localhost/x",
        "https://127.0.0.1/x",
        "https://0.0.0.0/x",
        "https://hooks.example.org:99999/x",
        "https://" + "a" * 2000 + ".org/",
    ],
)
def test_urls_that_are_not_https_to_a_public_host_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        check_url(url, allow_loopback=False)


def test_loopback_and_http_to_it_only_when_allowed() -> None:
    assert check_url("http://127.0.0.1:5001/h", allow_loopback=True).port == 5001
    assert check_url("http://localhost/h", allow_loopback=True).host == "localhost"
    with pytest.raises(UrlRefused):
        check_url("http://127.0.0.1:5001/h", allow_loopback=False)
    with pytest.raises(UrlRefused):
        check_url("http://10.0.0.1/h", allow_loopback=True)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("fe80::1", False),
        ("::1", False),
        ("224.0.0.1", False),
    ],
)
def test_each_address_is_judged(address: str, allowed: bool) -> None:
    reason = refused_address(ipaddress.ip_address(address), allow_loopback=False)
    assert (reason is None) is allowed
