"""The cluster's configuration as rendered for each piece, checked without starting anything."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy import render
from deploy.settings import (
    FAULTS,
    OptionError,
    Ports,
    parse_faults,
    parse_levels,
    parse_options,
)
from fieldapp.errors import PROBLEM_TYPE_PREFIX, ServiceUnavailable

PORTS = Ports()
NOTIFY = render.NotifyAccount("key-1", "sms-template", "email-template")


def haproxy_cfg(tmp_path: Path, instances: int = 3) -> str:
    """The balancer's configuration for ``instances`` app machines."""
    return render.haproxy_config(
        ports=PORTS, instances=instances, workers=2, stats_socket=tmp_path / "haproxy.sock"
    )


def test_haproxy_has_one_server_per_instance_checked_on_ready(tmp_path: Path) -> None:
    cfg = haproxy_cfg(tmp_path, instances=3)
    servers = [line.split() for line in cfg.splitlines() if line.strip().startswith("server ")]
    assert servers == [
        ["server", "app1", "127.0.0.1:57001"],
        ["server", "app2", "127.0.0.1:57002"],
        ["server", "app3", "127.0.0.1:57003"],
    ]
    assert "option httpchk GET /ready" in cfg
    assert "bind 127.0.0.1:57080" in cfg
    # One request per gthread thread (2 workers x 4 threads); the rest queue in HAProxy.
    assert "maxconn 8" in cfg
    assert "$" not in cfg


def test_haproxy_replays_only_requests_that_are_safe_to_replay(tmp_path: Path) -> None:
    lines = [line.strip() for line in haproxy_cfg(tmp_path).splitlines()]
    assert "option redispatch 1" in lines
    assert "retry-on conn-failure empty-response junk-response" in lines
    assert "acl safe_method method GET HEAD OPTIONS" in lines
    assert "acl replay_safe req.hdr(Idempotency-Key) -m found" in lines
    assert "http-request disable-l7-retry unless safe_method || replay_safe" in lines
    # No request rides a keep-alive connection the instance may be closing.
    assert "option http-server-close" in lines


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="Debian's haproxy is not installed")
def test_haproxy_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    path = tmp_path / "haproxy.cfg"
    path.write_text(haproxy_cfg(tmp_path))
    done = subprocess.run(
        ["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_postgres_primary_allows_a_streaming_standby_on_its_own_port(tmp_path: Path) -> None:
    primary = render.primary_conf(port=57432, socket_dir=tmp_path)
    assert "port = 57432" in primary
    assert "wal_level = replica" in primary
    assert "hot_standby = on" in primary
    assert f"unix_socket_directories = '{tmp_path}'" in primary
    assert render.standby_conf(port=57433).strip().endswith("port = 57433")


def test_redis_keeps_nothing_on_disk(tmp_path: Path) -> None:
    conf = render.redis_conf(port=57379, directory=tmp_path).splitlines()
    assert "port 57379" in conf
    assert 'save ""' in conf
    assert "appendonly no" in conf


def test_machines_share_production_settings_but_not_their_instance_folder(
    tmp_path: Path,
) -> None:
    keys = render.Secrets.generate()
    shared = render.shared_environment(PORTS, keys, NOTIFY)
    base = {"PATH": "/usr/bin", "FIELDAPP_DEBUG": "1", "GUNICORN_CMD_ARGS": "--workers 9"}
    one = render.machine_environment(base, shared, tmp_path / "app1")
    two = render.machine_environment(base, shared, tmp_path / "app2")
    assert one["FIELDAPP_ENV"] == "production"
    assert "FIELDAPP_DEBUG" not in one and "GUNICORN_CMD_ARGS" not in one
    assert one["PATH"] == "/usr/bin"
    assert one["FIELDAPP_DATABASE_URL"].endswith("@127.0.0.1:57432/fieldapp")
    assert one["FIELDAPP_REPLICA_DATABASE_URL"].endswith("@127.0.0.1:57433/fieldapp")
    assert one["FIELDAPP_REDIS_URL"] == "redis://127.0.0.1:57379/0"
    assert one["FIELDAPP_NOTIFY_BASE_URL"] == "http://127.0.0.1:57090"
    assert one["FIELDAPP_INSTANCE_PATH"] != two["FIELDAPP_INSTANCE_PATH"]
    assert {k: v for k, v in one.items() if k != "FIELDAPP_INSTANCE_PATH"} == {
        k: v for k, v in two.items() if k != "FIELDAPP_INSTANCE_PATH"
    }


def test_generated_secrets_satisfy_production_checks() -> None:
    keys = render.Secrets.generate()
    assert len(keys.secret_key.encode()) >= 32
    assert keys.secret_key != keys.jwt_secret_key
    assert keys != render.Secrets.generate()


def test_gunicorn_binds_its_instance_port_and_drains_on_sigterm(tmp_path: Path) -> None:
    command = render.gunicorn_command(tmp_path, name="app2", port=57002, workers=2)
    assert command[0] == str(tmp_path / "gunicorn")
    assert command[command.index("--bind") + 1] == "127.0.0.1:57002"
    assert command[command.index("--workers") + 1] == "2"
    assert command[command.index("--graceful-timeout") + 1] == "20"
    assert command[-1] == "wsgi:app"
    assert render.deliver_command(tmp_path, name="worker2")[-4:] == [
        "messages", "deliver", "--worker-name", "worker2",
    ]  # fmt: skip


def test_options_parse_with_defaults_and_refuse_nonsense() -> None:
    options = parse_options({"CLUSTER_SECONDS": "30", "CLUSTER_FAULTS": "stop,lock"})
    assert options.seconds == 30
    assert options.instances == 3
    assert options.faults == ("lock", "stop")  # run order, not the order given
    assert parse_options({}).faults == FAULTS
    assert not parse_options({}).keep_logs
    assert parse_options({"CLUSTER_KEEP_LOGS": "1"}).keep_logs
    assert parse_faults("none") == ()
    with pytest.raises(OptionError, match="unknown fault"):
        parse_faults("lock,meteor")
    with pytest.raises(OptionError, match="at least 2"):
        parse_options({"CLUSTER_INSTANCES": "1"})
    with pytest.raises(OptionError, match="whole number"):
        parse_options({"CLUSTER_SECONDS": "soon"})


def test_balancer_answers_503_in_the_apps_problem_shape_with_retry_after(tmp_path: Path) -> None:
    line = next(
        line.strip()
        for line in haproxy_cfg(tmp_path).splitlines()
        if line.strip().startswith("http-error status 503")
    )
    assert "content-type application/problem+json" in line
    assert "hdr Retry-After 2" in line
    body = json.loads(line.split(" string ", 1)[1].strip("'"))
    assert body["type"] == PROBLEM_TYPE_PREFIX + "service_unavailable"
    assert body["code"] == ServiceUnavailable.code
    assert body["title"] == ServiceUnavailable.title
    assert body["status"] == 503
    assert set(body) == {"type", "title", "status", "detail", "code", "trace_id"}


def test_port_base_moves_every_port_by_the_same_offset() -> None:
    ports = Ports.from_base(56000)
    assert (ports.balancer, ports.app(2), ports.primary, ports.standby) == (
        56080,
        56002,
        56432,
        56433,
    )
    assert (ports.redis, ports.notify) == (56379, 56090)
    assert Ports.from_base(57000) == Ports()
    assert parse_options({"CLUSTER_PORT_BASE": "56000"}).port_base == 56000
    with pytest.raises(OptionError, match="at least 1024"):
        parse_options({"CLUSTER_PORT_BASE": "80"})


def test_the_phases_of_what_must_keep_holding_parse_with_their_options() -> None:
    options = parse_options(
        {
            "CLUSTER_FAULTS": "connections,redis-kill,double-taps,notify-faults",
            "CLUSTER_CONNECTIONS": "16, 64",
            "CLUSTER_REDIS_KILL_SECONDS": "15",
        }
    )
    assert options.faults == ("redis-kill", "notify-faults", "double-taps", "connections")
    assert options.connections == (16, 64)
    assert options.redis_kill_seconds == 15
    assert parse_options({}).connections == (16, 64, 256)
    assert parse_levels("256") == (256,)
    with pytest.raises(OptionError, match="CLUSTER_CONNECTIONS"):
        parse_levels("16,lots")
    with pytest.raises(OptionError, match="CLUSTER_CONNECTIONS"):
        parse_levels("0")
