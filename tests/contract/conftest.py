"""Contract test fixtures: a Python client generated from the committed openapi.yaml by
openapi-python-client (once per run, offline), and the test app served over HTTP on loopback."""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask
from werkzeug.serving import make_server

REPOSITORY = Path(__file__).resolve().parents[2]
DOCUMENT = REPOSITORY / "openapi.yaml"
SETTINGS = Path(__file__).with_name("openapi-python-client.yaml")
PACKAGE = "fieldapp_client"


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The ``fieldapp_client`` package generated from openapi.yaml, importable for this run.

    The generator is the CLI next to this Python (requirements-dev); it reads the file and needs
    no network. It exits 0 even when it had to leave a schema or a response out, so any warning
    it prints fails here: a document it cannot fully type is a broken contract.
    """
    generator = Path(sys.executable).with_name("openapi-python-client")
    if not generator.exists():
        pytest.fail(f"{generator} is missing: install requirements-dev.txt (make install-dev)")
    root = tmp_path_factory.mktemp("generated")
    command = [
        str(generator), "generate", "--path", str(DOCUMENT), "--meta", "none",
        "--config", str(SETTINGS), "--output-path", str(root / PACKAGE),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The test app served by a real HTTP server on a free loopback port, for this test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
