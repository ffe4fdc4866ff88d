"""How the run drives locust: its command line and the pause handshake, without starting it."""

from __future__ import annotations

from pathlib import Path

from deploy.load import LOCUSTFILE, OfficerLoad, locust_command
from deploy.processes import Supervisor


def load(tmp_path: Path) -> OfficerLoad:
    """A load that is never started."""
    return OfficerLoad(Supervisor(tmp_path / "logs"), tmp_path, 57080, [])


def test_locust_runs_headless_with_every_officer_through_the_balancer() -> None:
    command = locust_command(Path("/venv/bin"), port=57080, users=8)
    assert command[:4] == ["/venv/bin/locust", "-f", str(LOCUSTFILE), "--headless"]
    flags = dict(zip(command[4::2], command[5::2], strict=False))
    assert flags["-u"] == flags["-r"] == "8"
    assert flags["--host"] == "http://127.0.0.1:57080"
    assert int(flags["--stop-timeout"]) > 120  # a write retries for up to 120 s
    assert LOCUSTFILE.is_file()


def test_pause_returns_once_the_officers_report_idle_for_this_pause(tmp_path: Path) -> None:
    officers = load(tmp_path)
    (tmp_path / "pause.idle").write_text("1")  # what the locustfile writes for token 1
    assert officers.pause(timeout=5) is True
    assert (tmp_path / "pause").read_text() == "1"


def test_an_idle_report_of_an_earlier_pause_does_not_count(tmp_path: Path) -> None:
    officers = load(tmp_path)
    (tmp_path / "pause.idle").write_text("0")
    assert officers.pause(timeout=0) is False


def test_resume_removes_the_pause(tmp_path: Path) -> None:
    officers = load(tmp_path)
    officers.pause(timeout=0)
    officers.resume()
    assert not (tmp_path / "pause").exists()


def test_double_tap_switch_is_a_file_the_locustfile_watches(tmp_path: Path) -> None:
    officers = load(tmp_path)
    officers.double_tap(True)
    assert officers.double_tap_file.read_text() == "on"
    officers.double_tap(False)
    assert not officers.double_tap_file.exists()


def test_a_level_load_runs_more_users_than_officers_under_its_own_name(tmp_path: Path) -> None:
    level = OfficerLoad(Supervisor(tmp_path / "logs"), tmp_path, 57080, [], users=64, name="l64")
    assert (level.users, level.name) == (64, "l64")
    assert load(tmp_path).users == 0  # one user per officer by default
