"""A JupyterLab server and a headless Chromium for running the lessons as a student would.

The server runs on a free loopback port with no token, serving a temporary copy of the lessons
folder (notebooks/, or STEPNN_LESSONS_DIR), so lessons can write files without touching the
repository. Chromium is Debian's (``apt-get install chromium``), driven by Playwright.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("STEPNN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SERVER_START_TIMEOUT = 90  # seconds until /api/status must answer

# Front-end settings for the test server: no news toast, no update check, and every cell kept in
# the page (no windowing), so that outputs of cells below the fold can be read.
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


@dataclass
class LabServer:
    """A running JupyterLab: its base URL, the folder it serves and its log file."""

    url: str
    root_dir: Path
    log: Path
    process: subprocess.Popen

    def __repr__(self) -> str:
        return f"LabServer({self.url!r}, root_dir='{self.root_dir}')"

    def api(self, path: str, method: str = "GET") -> object:
        """Call the server's REST API; returns the decoded JSON (None for an empty answer)."""
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, n_chars: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-n_chars:]

    def shutdown_kernels(self) -> None:
        """End every session (and its kernel) so the next lesson starts from a clean slate."""
        for session in self.api("/api/sessions"):
            self.api(f"/api/sessions/{session['id']}", method="DELETE")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_environment(tmp: Path) -> dict[str, str]:
    """This environment, minus the unit tests' MPLBACKEND, with Jupyter's user folders in ``tmp``."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(
        # the kernel is started as `python`: make it this interpreter
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        IPYTHONDIR=str(tmp / "ipython"),
    )
    return env


def _wait_until_up(server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {server.process.returncode}:\n{server.log_tail()}")
        try:
            server.api("/api/status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT} s:\n"
                            f"{server.log_tail()}")
            time.sleep(0.25)  # polling interval, bounded by the deadline above


def _stop(server: LabServer) -> None:
    try:
        server.api("/api/shutdown", method="POST")
        server.process.wait(timeout=30)
    except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
        pass
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=20)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, lessons_dir, require) -> Iterator[LabServer]:
    """JupyterLab serving a temporary copy of the lessons folder; stopped after the last test."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        require("jupyterlab is not installed (pip install -e .)")
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root_dir = tmp / "lessons"
    shutil.copytree(lessons_dir, root_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    app_settings = tmp / "app-settings"
    app_settings.mkdir()
    (app_settings / "overrides.json").write_text(json.dumps(OVERRIDES), encoding="utf-8")
    port = free_port()
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.root_dir={root_dir}", "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True", "--LabApp.expose_app_in_browser=True",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}", f"--LabApp.user_settings_dir={tmp / 'user-settings'}",
        f"--LabApp.app_settings_dir={app_settings}", "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root",
    ]
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=root_dir, env=_server_environment(tmp),
                                   stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = LabServer(f"http://127.0.0.1:{port}", root_dir, log, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def browser(require):
    """Headless Debian Chromium driven by Playwright; closed after the last test."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("playwright is not installed (pip install -e '.[test]')")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        require(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, lab_server):
    """A fresh browser page; the lesson's kernel is shut down afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # a student's laptop
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
        lab_server.shutdown_kernels()


@pytest.fixture(scope="session")
def screenshots_dir(repo_root) -> Path:
    folder = repo_root / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
