"""HAProxy for the cluster: finding (or installing) Debian's haproxy; reading its stats socket."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
from pathlib import Path

from deploy.processes import ClusterError


def ensure_haproxy() -> str:
    """The haproxy binary, installed from Debian's packages when missing and we are root."""
    found = shutil.which("haproxy")
    if found:
        return found
    if os.geteuid() != 0:
        raise ClusterError("haproxy is not installed: run 'apt-get install haproxy' as root")
    print("installing haproxy from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "haproxy"],
    ):
        subprocess.run(command, check=True, env=env)  # noqa: S603 - fixed commands
    found = shutil.which("haproxy")
    if not found:
        raise ClusterError("apt-get installed haproxy but it is not on PATH")
    return found


def parse_stats(text: str) -> dict[str, dict[str, str]]:
    """``show stat`` CSV as rows by ``proxy/server`` (e.g. ``app/app1``)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {f"{row['pxname']}/{row['svname']}": row for row in reader if row.get("pxname")}


def read_stats(stats_socket: Path) -> dict[str, dict[str, str]]:
    """The balancer's current stats from its admin socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(2.0)
        connection.connect(str(stats_socket))
        connection.sendall(b"show stat\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return parse_stats(b"".join(chunks).decode())


def in_flight(stats_socket: Path, server: str) -> int:
    """Requests the balancer has on ``server`` right now (its ``scur``)."""
    row = read_stats(stats_socket).get(f"app/{server}")
    return int(row["scur"] or 0) if row else 0
