"""The cluster's machines, all on this one: Redis, the Notify stand-in, PostgreSQL primary and
standby, app machines (gunicorn with its sealer, plus a delivery worker) and HAProxy in front.

Each app machine has its own folder (instance path, checkpoint file) under the run's temporary
folder; everything is stopped, and the folder removed, by :meth:`Cluster.close`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from deploy import render
from deploy.balancer import ensure_haproxy
from deploy.client import Client, Officer, arrested_event
from deploy.postgres import PostgresServer, init_primary, make_standby
from deploy.processes import (
    ClusterError,
    Supervisor,
    port_is_open,
    run_checked,
    wait_until_ready,
)
from deploy.settings import HOST, Options, Ports
from tests.notify_standin import EMAIL_TEMPLATE_ID, SMS_TEMPLATE_ID

BIN = Path(sys.executable).parent


class Cluster:
    """Every process of the run and how to reach it."""

    def __init__(self, options: Options, ports: Ports) -> None:
        self.options = options
        self.ports = ports
        self.root = Path(tempfile.mkdtemp(prefix="fieldapp-cluster-"))
        self.root.chmod(0o755)  # the postgres user must reach its folders inside
        self.supervisor = Supervisor(self.root / "logs")
        pg = self.root / "pg"  # the postgres user's: data folders, sockets and logs
        self.primary = PostgresServer(pg / "primary", ports.primary, pg / "primary.log")
        self.standby = PostgresServer(pg / "standby", ports.standby, pg / "standby.log")
        self.stats_socket = self.root / "haproxy.sock"
        self.keys = render.Secrets.generate()
        self.notify_service = (str(uuid.uuid4()), str(uuid.uuid4()))
        notify = render.NotifyAccount(
            api_key=f"cluster-{self.notify_service[0]}-{self.notify_service[1]}",
            sms_template_id=SMS_TEMPLATE_ID,
            email_template_id=EMAIL_TEMPLATE_ID,
        )
        self.shared = render.shared_environment(ports, self.keys, notify)

    def log(self, name: str) -> Path:
        """The log file of a process by name."""
        return self.root / "logs" / f"{name}.log"

    def machine_env(self, number: int) -> dict[str, str]:
        """App machine ``number``'s environment."""
        return render.machine_environment(os.environ, self.shared, self.root / f"app{number}")

    def start(self) -> None:
        """Start every piece, migrate, and wait until the balancer is ready."""
        busy = [p for p in self._all_ports() if port_is_open(p)]
        if busy:
            raise ClusterError(f"ports already in use: {busy}; is another cluster run going?")
        haproxy = ensure_haproxy()
        self.start_redis()
        self._start_notify()
        print("PostgreSQL primary (initdb) and hot standby (pg_basebackup -R)", flush=True)
        self.supervisor.log_dir.mkdir(parents=True, exist_ok=True)
        init_primary(self.primary, self.root / "pg" / "sockets")
        make_standby(self.primary, self.standby)
        env = self.machine_env(1)
        print("migrating and importing the template library", flush=True)
        run_checked(render.flask_command(BIN, "db", "upgrade"), env=env)
        run_checked(render.flask_command(BIN, "templates", "import"), env=env)
        for number in range(1, self.options.instances + 1):
            self.start_app(number)
            self.start_worker(number)
        for number in range(1, self.options.instances + 1):
            self.wait_app(number)
        self._start_haproxy(haproxy)

    def _all_ports(self) -> list[int]:
        """Every port the run listens on."""
        p = self.ports
        apps = [p.app(n) for n in range(1, self.options.instances + 1)]
        return [p.balancer, p.primary, p.standby, p.redis, p.notify, *apps]

    def start_redis(self) -> None:
        """redis-server on its own port, without persistence."""
        folder = self.root / "redis"
        folder.mkdir(exist_ok=True)  # started again by the redis-kill phase
        conf = folder / "redis.conf"
        conf.write_text(render.redis_conf(port=self.ports.redis, directory=folder))
        self.supervisor.start("redis", ["redis-server", str(conf)])
        self._wait_port(self.ports.redis, "redis")

    def _start_notify(self) -> None:
        """The Notify stand-in as its own process."""
        service_id, secret = self.notify_service
        command = [sys.executable, "-m", "deploy.notify_server", "--port", str(self.ports.notify),
                   "--service-id", service_id, "--secret", secret]  # fmt: skip
        self.supervisor.start("notify", command)
        self._wait_port(self.ports.notify, "notify")

    def _wait_port(self, port: int, name: str) -> None:
        """Wait until ``port`` accepts connections, or fail with the process's log."""
        deadline = time.monotonic() + 30
        while not port_is_open(port):
            process = self.supervisor.running[name]
            if process.poll() is not None or time.monotonic() > deadline:
                raise ClusterError(f"{name} did not start:\n{self.supervisor.log_tail(name)}")
            time.sleep(0.1)

    def start_app(self, number: int) -> None:
        """gunicorn for app machine ``number`` (its sealer starts beside it)."""
        command = render.gunicorn_command(
            BIN, name=f"app{number}", port=self.ports.app(number), workers=self.options.workers
        )
        self.supervisor.start(f"app{number}", command, self.machine_env(number))

    def wait_app(self, number: int) -> None:
        """Wait until app machine ``number`` answers /ready."""
        name = f"app{number}"
        try:
            wait_until_ready(
                f"http://{HOST}:{self.ports.app(number)}/ready",
                self.supervisor.running[name],
                name,
            )
        except ClusterError as error:
            raise ClusterError(f"{error}\n{self.supervisor.log_tail(name)}") from error

    def start_worker(self, number: int) -> None:
        """The delivery worker of app machine ``number``."""
        name = f"worker{number}"
        self.supervisor.start(
            name, render.deliver_command(BIN, name=name), self.machine_env(number)
        )

    def _start_haproxy(self, haproxy: str) -> None:
        """Check and start HAProxy in the foreground (-db), then wait for it to be ready."""
        conf = self.root / "haproxy.cfg"
        conf.write_text(
            render.haproxy_config(
                ports=self.ports,
                instances=self.options.instances,
                workers=self.options.workers,
                stats_socket=self.stats_socket,
            )
        )
        run_checked([haproxy, "-c", "-q", "-f", str(conf)])
        process = self.supervisor.start("haproxy", [haproxy, "-db", "-f", str(conf)])
        wait_until_ready(f"http://{HOST}:{self.ports.balancer}/ready", process, "haproxy")

    def create_officers(self) -> list[Officer]:
        """Officers with random passwords, each with a case, an SMS victim and an event."""
        env = self.machine_env(1)
        officers = []
        for number in range(1, self.options.officers + 1):
            username, password = f"cluster.officer{number}", secrets.token_urlsafe(18)
            run_checked(
                render.flask_command(
                    BIN, "users", "create", "--username", username, "--role", "officer",
                    "--team", "Cluster", "--password-stdin",
                ),
                env=env,
                stdin=password + "\n",
            )  # fmt: skip
            officers.append(self._officer_data(username, password, number))
        return officers

    def _officer_data(self, username: str, password: str, number: int) -> Officer:
        """Through the balancer, as the officer: open a case, add a victim, record an event."""
        client = Client(self.ports.balancer, lambda _sample: None)
        officer = Officer(username, password, "", "")
        if client.sign_in(officer) != 200:
            raise ClusterError(f"{username} could not sign in through the balancer")
        case = {"crime_reference": f"CLUSTER/{number:04d}/26", "offence": "Burglary"}
        case_id = _created(client.call("setup", "POST", "/api/v1/cases", case), "a case")
        victim = {"first_name": "Priya", "last_name": f"Shah{number}", "phone": "07700 900123",
                  "preferred_channel": "sms", "safe_channels": ["sms"]}  # fmt: skip
        path = f"/api/v1/cases/{case_id}"
        victim_id = _created(client.call("setup", "POST", f"{path}/victims", victim), "a victim")
        _created(client.call("setup", "POST", f"{path}/events", arrested_event()), "an event")
        return Officer(username, password, case_id, victim_id)

    def close(self, keep_logs_in: Path | None = None) -> None:
        """Stop every process and PostgreSQL, keep the logs if asked, remove the temp folder."""
        self.supervisor.stop_all()
        for server in (self.standby, self.primary):
            if server.running():
                try:
                    server.stop("immediate")
                except ClusterError as error:
                    print(f"could not stop PostgreSQL on {server.port}: {error}", file=sys.stderr)
        if keep_logs_in is not None:
            shutil.copytree(self.supervisor.log_dir, keep_logs_in, dirs_exist_ok=True)
            for server in (self.primary, self.standby):
                if server.log.exists():
                    shutil.copy(server.log, keep_logs_in / server.log.name)
            print(f"logs kept in {keep_logs_in}", flush=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _created(answer: tuple[int, object], what: str) -> str:
    """The id of what a setup POST created, or a clear error."""
    status, body = answer
    if status != 201 or not isinstance(body, dict):
        raise ClusterError(f"creating {what} through the balancer answered {status}: {body}")
    return str(body["id"])
