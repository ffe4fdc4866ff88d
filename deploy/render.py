"""The cluster's configuration: files rendered from deploy/*.in, environments and commands.

Pure functions of the ports and options (secrets are passed in), so that what each machine gets
is testable without starting anything.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from deploy.settings import HOST, Ports

DEPLOY_DIR = Path(__file__).resolve().parent
#: gthread threads per gunicorn worker, as gunicorn.conf.py sets them.
THREADS_PER_WORKER = 4
DATABASE_NAME = "fieldapp"
#: Links name this origin; nothing resolves it (the run talks to the balancer on loopback).
PUBLIC_URL = "https://fieldapp.cluster.invalid"
#: The quota is per officer; virtual officers write far more than real ones would.
LOAD_QUOTA = "1000000/hour;10000000/day"


@dataclass(frozen=True)
class Secrets:
    """What every machine shares and a secret store would hold."""

    secret_key: str
    jwt_secret_key: str
    audit_hmac_keys: str
    audit_signing_key: str

    @classmethod
    def generate(cls) -> Secrets:
        """Fresh random secrets for one run."""
        private = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        return cls(
            secret_key=secrets.token_urlsafe(48),
            jwt_secret_key=secrets.token_urlsafe(48),
            audit_hmac_keys="cluster-1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            audit_signing_key=base64.b64encode(private).decode(),
        )


@dataclass(frozen=True)
class NotifyAccount:
    """The Notify stand-in's service: its key and the two pass-through templates."""

    api_key: str
    sms_template_id: str
    email_template_id: str


def _template(name: str) -> Template:
    """One of deploy/*.in as a string.Template."""
    return Template((DEPLOY_DIR / name).read_text(encoding="utf-8"))


def haproxy_config(*, ports: Ports, instances: int, workers: int, stats_socket: Path) -> str:
    """haproxy.cfg: the balancer on ``ports.balancer`` in front of every instance."""
    servers = "\n".join(f"    server app{n} {HOST}:{ports.app(n)}" for n in range(1, instances + 1))
    return _template("haproxy.cfg.in").substitute(
        port=ports.balancer,
        stats_socket=stats_socket,
        # One request per thread: the rest wait in HAProxy's queue, which it can redispatch.
        server_maxconn=workers * THREADS_PER_WORKER,
        servers=servers,
    )


def primary_conf(*, port: int, socket_dir: Path) -> str:
    """Lines appended to the primary's postgresql.conf."""
    return _template("postgresql.conf.in").substitute(port=port, socket_dir=socket_dir)


def standby_conf(*, port: int) -> str:
    """Lines appended to the standby's postgresql.conf after pg_basebackup copied it."""
    return _template("standby.conf.in").substitute(port=port)


def redis_conf(*, port: int, directory: Path) -> str:
    """redis.conf: loopback, no persistence."""
    return _template("redis.conf.in").substitute(port=port, directory=directory)


def database_url(port: int) -> str:
    """The URL of the run's database on the PostgreSQL server at ``port``."""
    return f"postgresql://postgres@{HOST}:{port}/{DATABASE_NAME}"


def shared_environment(ports: Ports, keys: Secrets, notify: NotifyAccount) -> dict[str, str]:
    """The FIELDAPP_* settings every app machine has alike (production mode)."""
    return {
        "FIELDAPP_ENV": "production",
        "FIELDAPP_SECRET_KEY": keys.secret_key,
        "FIELDAPP_JWT_SECRET_KEY": keys.jwt_secret_key,
        "FIELDAPP_PUBLIC_URL": PUBLIC_URL,
        "FIELDAPP_DATABASE_URL": database_url(ports.primary),
        # Read by the replica-routing work (issue 14, point 3) once it lands; ignored until then.
        "FIELDAPP_REPLICA_DATABASE_URL": database_url(ports.standby),
        "FIELDAPP_REDIS_URL": f"redis://{HOST}:{ports.redis}/0",
        "FIELDAPP_PROXY_FIX_HOPS": "1",
        "FIELDAPP_MESSAGE_PROVIDER": "notify",
        "FIELDAPP_MESSAGE_QUOTA": LOAD_QUOTA,
        "FIELDAPP_NOTIFY_API_KEY": notify.api_key,
        "FIELDAPP_NOTIFY_BASE_URL": f"http://{HOST}:{ports.notify}",
        "FIELDAPP_NOTIFY_SMS_TEMPLATE_ID": notify.sms_template_id,
        "FIELDAPP_NOTIFY_EMAIL_TEMPLATE_ID": notify.email_template_id,
        "FIELDAPP_NOTIFY_TIMEOUT_SECONDS": "5",
        "FIELDAPP_AUDIT_HMAC_KEYS": keys.audit_hmac_keys,
        "FIELDAPP_AUDIT_SIGNING_KEY": keys.audit_signing_key,
    }


def machine_environment(
    base: Mapping[str, str], shared: Mapping[str, str], machine_dir: Path
) -> dict[str, str]:
    """One app machine's environment: the caller's (minus FIELDAPP_*), the shared settings,
    and its own instance folder (where its sealer appends checkpoints)."""
    env = {name: value for name, value in base.items() if not name.startswith("FIELDAPP_")}
    env.pop("GUNICORN_CMD_ARGS", None)
    env.update(shared)
    env["FIELDAPP_INSTANCE_PATH"] = str(machine_dir / "instance")
    return env


def gunicorn_command(bin_dir: Path, *, name: str, port: int, workers: int) -> list[str]:
    """gunicorn for one instance; gunicorn.conf.py (read from the repository root) adds
    gthread workers and the audit sealer beside them."""
    return [
        str(bin_dir / "gunicorn"),
        "--name", name,
        "--workers", str(workers),
        "--bind", f"{HOST}:{port}",
        # Time for in-flight requests to finish after SIGTERM before workers are killed.
        "--graceful-timeout", "20",
        "wsgi:app",
    ]  # fmt: skip


def deliver_command(bin_dir: Path, *, name: str) -> list[str]:
    """The delivery worker that runs beside each instance."""
    return [str(bin_dir / "flask"), "--app", "wsgi", "messages", "deliver", "--worker-name", name]


def flask_command(bin_dir: Path, *arguments: str) -> list[str]:
    """``flask --app wsgi ...`` from the run's environment."""
    return [str(bin_dir / "flask"), "--app", "wsgi", *arguments]
