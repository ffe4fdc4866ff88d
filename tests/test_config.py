"""Configuration: environment over safe defaults; no committed secrets; strict production."""

from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path

import pytest

from fieldapp.config import ConfigurationError, build_config, force_profile, replica_settings

STRONG_A = "a" * 40
STRONG_B = "b" * 40


def test_development_generates_secrets_once_into_the_instance_folder(tmp_path: Path) -> None:
    first = build_config({}, tmp_path)
    second = build_config({}, tmp_path)
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["JWT_SECRET_KEY"] == second["JWT_SECRET_KEY"]
    assert first["SECRET_KEY"] != first["JWT_SECRET_KEY"]
    assert len(first["JWT_SECRET_KEY"]) >= 43  # 32 random bytes or more
    secrets_file = tmp_path / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    config = build_config(
        {
            "FIELDAPP_DATABASE_URL": "postgresql://db.example/fieldapp",
            "FIELDAPP_REDIS_URL": "redis://cache:6379/0",
            "FIELDAPP_ACCESS_TOKEN_MINUTES": "5",
            "FIELDAPP_JWT_SECRET_KEY": STRONG_B,
        },
        tmp_path,
    )
    assert config["DATABASE_URL"] == "postgresql://db.example/fieldapp"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds() == 300
    assert config["JWT_SECRET_KEY"] == STRONG_B


def test_defaults_are_safe(tmp_path: Path) -> None:
    config = build_config({}, tmp_path)
    assert config["WEBHOOK_ALLOW_HTTP_LOOPBACK"] is True  # development: a local receiver works
    assert config["DEBUG"] is False
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'fieldapp.db'}"
    assert config["JWT_DECODE_ALGORITHMS"] == ["HS256"]
    assert config["JWT_TOKEN_LOCATION"] == ["headers"]
    assert config["MAX_CONTENT_LENGTH"] == 256 * 1024


def test_witness_care_is_in_the_app_unless_the_force_says_otherwise(tmp_path: Path) -> None:
    assert build_config({}, tmp_path)["WITNESS_CARE_IN_APP"] is True
    off = build_config({"FIELDAPP_WITNESS_CARE_IN_APP": "false"}, tmp_path)
    assert off["WITNESS_CARE_IN_APP"] is False


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        build_config({"FIELDAPP_ENV": "production"}, tmp_path)
    assert not (tmp_path / "secrets.json").exists()


def test_production_refuses_short_or_shared_secrets(tmp_path: Path) -> None:
    env = {"FIELDAPP_ENV": "production", "FIELDAPP_SECRET_KEY": STRONG_A}
    with pytest.raises(ConfigurationError, match="32"):
        build_config({**env, "FIELDAPP_JWT_SECRET_KEY": "short"}, tmp_path)
    with pytest.raises(ConfigurationError, match="differ"):
        build_config({**env, "FIELDAPP_JWT_SECRET_KEY": STRONG_A}, tmp_path)


def test_production_refuses_debug(tmp_path: Path) -> None:
    env = {
        "FIELDAPP_ENV": "production",
        "FIELDAPP_SECRET_KEY": STRONG_A,
        "FIELDAPP_JWT_SECRET_KEY": STRONG_B,
        "FIELDAPP_DEBUG": "1",
    }
    with pytest.raises(ConfigurationError, match="debug"):
        build_config(env, tmp_path)


def test_production_starts_with_explicit_secrets(tmp_path: Path) -> None:
    env = {
        "FIELDAPP_ENV": "production",
        "FIELDAPP_SECRET_KEY": STRONG_A,
        "FIELDAPP_JWT_SECRET_KEY": STRONG_B,
        "FIELDAPP_PUBLIC_URL": "https://fieldapp.force.example/",
    }
    config = build_config(env, tmp_path)
    assert config["ENV_NAME"] == "production"
    assert config["JWT_SECRET_KEY"] == STRONG_B
    assert config["PUBLIC_URL"] == "https://fieldapp.force.example"
    assert config["PUBLIC_DOCS"] is False
    assert config["WEBHOOK_ALLOW_HTTP_LOOPBACK"] is False  # webhooks: https to public hosts only


def test_production_refuses_to_start_without_an_https_public_url(tmp_path: Path) -> None:
    env = {
        "FIELDAPP_ENV": "production",
        "FIELDAPP_SECRET_KEY": STRONG_A,
        "FIELDAPP_JWT_SECRET_KEY": STRONG_B,
    }
    with pytest.raises(ConfigurationError, match="FIELDAPP_PUBLIC_URL"):
        build_config(env, tmp_path)
    with pytest.raises(ConfigurationError, match="FIELDAPP_PUBLIC_URL"):
        build_config({**env, "FIELDAPP_PUBLIC_URL": "http://fieldapp.force.example"}, tmp_path)


@pytest.mark.parametrize(
    "value", ["fieldapp.force.example", "ftp://x.example", "https://x.example/api", "https://"]
)
def test_a_public_url_that_is_not_an_origin_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="FIELDAPP_PUBLIC_URL"):
        build_config({"FIELDAPP_PUBLIC_URL": value}, tmp_path)


def test_docs_are_public_by_default_in_development_only_and_can_be_switched(
    tmp_path: Path,
) -> None:
    assert build_config({}, tmp_path)["PUBLIC_DOCS"] is True
    assert build_config({"FIELDAPP_PUBLIC_DOCS": "0"}, tmp_path)["PUBLIC_DOCS"] is False
    production = {
        "FIELDAPP_ENV": "production",
        "FIELDAPP_SECRET_KEY": STRONG_A,
        "FIELDAPP_JWT_SECRET_KEY": STRONG_B,
        "FIELDAPP_PUBLIC_URL": "https://fieldapp.force.example",
    }
    assert build_config(production, tmp_path)["PUBLIC_DOCS"] is False
    assert build_config({**production, "FIELDAPP_PUBLIC_DOCS": "1"}, tmp_path)["PUBLIC_DOCS"]


def test_nonsense_numbers_are_refused_loudly(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="FIELDAPP_MAX_BODY_BYTES"):
        build_config({"FIELDAPP_MAX_BODY_BYTES": "lots"}, tmp_path)


def test_the_price_of_a_text_is_configured_in_pence(tmp_path: Path) -> None:
    assert build_config({}, tmp_path)["SMS_FRAGMENT_PENCE"] == Decimal("2.33")
    configured = build_config({"FIELDAPP_SMS_FRAGMENT_PENCE": "2.5"}, tmp_path)
    assert configured["SMS_FRAGMENT_PENCE"] == Decimal("2.5")


@pytest.mark.parametrize("value", ["two pence", "-1", "NaN", "Infinity"])
def test_a_nonsense_price_of_a_text_is_refused_loudly(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="FIELDAPP_SMS_FRAGMENT_PENCE"):
        build_config({"FIELDAPP_SMS_FRAGMENT_PENCE": value}, tmp_path)


def test_force_details_are_given_per_language_and_welsh_falls_back_to_english() -> None:
    profile = force_profile(
        {
            "FIELDAPP_FORCE_NAME": "Dyfed-Powys Police",
            "FIELDAPP_FORCE_NAME_CY": "Heddlu Dyfed-Powys",
            "FIELDAPP_FORCE_SUPPORT_NAME_CY": "  ",
        }
    )
    assert set(profile) == {"en", "cy"}
    assert profile["en"]["name"] == "Dyfed-Powys Police"
    assert profile["cy"]["name"] == "Heddlu Dyfed-Powys"
    assert profile["cy"]["support_name"] == profile["en"]["support_name"] == "Victim Support"
    assert profile["cy"]["phone"] == "101"


def test_without_a_replica_url_every_read_stays_on_the_primary(tmp_path: Path) -> None:
    config = build_config({}, tmp_path)
    assert (config["REPLICA_DATABASE_URL"], config["REPLICA_MAX_LAG_SECONDS"]) == ("", 30)


def test_the_replica_and_its_lag_bound_are_configured() -> None:
    env = {
        "FIELDAPP_REPLICA_DATABASE_URL": " postgresql://reader@standby/fieldapp ",
        "FIELDAPP_REPLICA_MAX_LAG_SECONDS": "5",
    }
    assert replica_settings(env) == {
        "REPLICA_DATABASE_URL": "postgresql://reader@standby/fieldapp",
        "REPLICA_MAX_LAG_SECONDS": 5,
    }
    with pytest.raises(ConfigurationError, match="REPLICA_MAX_LAG_SECONDS"):
        replica_settings({"FIELDAPP_REPLICA_MAX_LAG_SECONDS": "-1"})


def test_the_principal_cache_is_on_only_with_redis_unless_told(tmp_path: Path) -> None:
    assert build_config({}, tmp_path)["PRINCIPAL_CACHE"] is False
    with_redis = build_config({"FIELDAPP_REDIS_URL": "redis://cache:6379/0"}, tmp_path)
    assert with_redis["PRINCIPAL_CACHE"] is True
    assert with_redis["PRINCIPAL_CACHE_TTL_SECONDS"] == 30
    assert with_redis["PRINCIPAL_CHANNEL"] == "fieldapp:principals"
    off = build_config(
        {
            "FIELDAPP_REDIS_URL": "redis://cache:6379/0",
            "FIELDAPP_PRINCIPAL_CACHE": "off",
            "FIELDAPP_PRINCIPAL_CACHE_TTL_SECONDS": "60",
        },
        tmp_path,
    )
    assert (off["PRINCIPAL_CACHE"], off["PRINCIPAL_CACHE_TTL_SECONDS"]) == (False, 60)
