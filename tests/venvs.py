"""Fresh virtual environments for the tests that install stepnn as a user, Binder or CI does.

One home for what those tests share: the project's declared requirements (read from
pyproject.toml), a copy of the repository as a clone has it, a virtual environment that sees
nothing of the test process's own packages or settings, and running a command in it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Folders a clone does not have: build products, caches, virtual environments.
NOT_IN_A_CLONE = (".git", "build", "dist", "*.egg-info", ".venv*", "__pycache__", ".pytest_cache",
                  ".hypothesis", "test-artifacts", ".ipynb_checkpoints", ".benchmarks")


def project() -> dict:
    """The [project] table of pyproject.toml."""
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements(extra: str | None = None) -> dict[str, Requirement]:
    """{canonical name: requirement} of the runtime dependencies, or of one optional extra.

    A self-reference in an extra (``stepnn[lab]``) is left out.
    """
    table = project()
    specs = table["dependencies"] if extra is None else table["optional-dependencies"][extra]
    found = {}
    for spec in specs:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        if name != canonicalize_name(table["name"]):
            found[name] = requirement
    return found


def floor(requirement: Requirement) -> str | None:
    """The version of ``requirement``'s ``>=`` bound (the oldest version it accepts), or None."""
    bounds = [spec.version for spec in requirement.specifier if spec.operator == ">="]
    return bounds[0] if len(bounds) == 1 else None


def floor_pins() -> list[str]:
    """``name==floor`` for every runtime dependency: the oldest versions stepnn supports."""
    pins = []
    for name, requirement in sorted(requirements().items()):
        version = floor(requirement)
        assert version, f"pyproject.toml: give {name} a minimum version ('{name}>=X'), got '{requirement}'"
        pins.append(f"{name}=={version}")
    return pins


def copy_repo(destination: Path, lessons: list[Path]) -> Path:
    """The repository as a clone would have it, with ``lessons`` (notebooks) in notebooks/."""
    shutil.copytree(REPO, destination, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE, "notebooks"))
    (destination / "notebooks").mkdir()
    for lesson in lessons:
        shutil.copy2(lesson, destination / "notebooks" / lesson.name)
    return destination


def create_venv(venv: Path) -> Path:
    """A new virtual environment at ``venv`` for this Python (no system packages); returns its bin/."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300,
                   stdin=subprocess.DEVNULL)
    return venv / "bin"


def isolated_env(venv: Path, scratch: Path) -> dict[str, str]:
    """Environment variables for commands run in ``venv``.

    Drops what would leak the test process into it (PYTHONPATH, MPLBACKEND, an active
    virtual environment) and keeps this user's own Jupyter, IPython and matplotlib settings out
    by pointing them at folders under ``scratch``.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("MPLBACKEND", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_USER")}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        JUPYTER_CONFIG_DIR=str(scratch / "jupyter-config"),
        JUPYTER_DATA_DIR=str(scratch / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(scratch / "jupyter-runtime"),
        IPYTHONDIR=str(scratch / "ipython"),
        MPLCONFIGDIR=str(scratch / "mplconfig"),
    )
    return env


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    """Run ``command`` without standard input; its output (stdout then stderr, no colour codes).

    Fails the test with the end of that output when the command exits with an error.
    """
    result = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=timeout, check=False)
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, f"{' '.join(command)} exited with {result.returncode}:\n{output[-6000:]}"
    return output


def installed_versions(python: Path, env: dict[str, str]) -> dict[str, str]:
    """{canonical name: version} of every distribution installed in the environment of ``python``."""
    listing = run([str(python), "-m", "pip", "list", "--format=freeze", "--exclude-editable"],
                  REPO, env, timeout=300)
    versions = {}
    for line in listing.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            versions[canonicalize_name(name)] = version.strip()
    return versions
