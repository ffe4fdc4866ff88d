"""``pip install .``: the wheel carries what an installed fieldapp reads besides its modules."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fieldapp import __version__

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel built from a copy of the sources (the checkout gets no build/ folder)."""
    pytest.importorskip("setuptools", minversion="77")
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for package in ("fieldapp", "message_templates"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--no-index", "--wheel-dir", str(out), str(source)),
        ],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_has_the_package_version(wheel: zipfile.ZipFile) -> None:
    assert Path(str(wheel.filename)).name == f"fieldapp-{__version__}-py3-none-any.whl"
    metadata = wheel.read(f"fieldapp-{__version__}.dist-info/METADATA").decode()
    assert f"Version: {__version__}" in metadata
    assert "Requires-Dist: flask" in metadata
    assert "License-Expression: MIT" in metadata
    entry_points = wheel.read(f"fieldapp-{__version__}.dist-info/entry_points.txt").decode()
    assert "fieldapp = fieldapp.cli:main" in entry_points


def test_the_wheel_carries_every_data_file_the_package_reads(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "fieldapp", "message_templates"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    # Every committed file under fieldapp/ (migrations, rule JSON, console templates and static
    # files) and the built-in templates of message_templates/ are in the wheel, so an installed
    # fieldapp runs.
    missing = [name for name in tracked if name not in names]
    assert missing == []
    assert "fieldapp/migrations/script.py.mako" in names
    assert "message_templates/arrested-sms-en.txt" in names
    assert not any(name.startswith(("tests/", "benchmarks/", "deploy/")) for name in names)
