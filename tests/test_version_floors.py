"""The oldest supported versions: the view and widget tests, run again on the floors.

pyproject.toml gives every runtime dependency a minimum version (``numpy>=1.26``, ...). The
main test run installs the newest versions; this test (marker ``floors``) builds a second
virtual environment with exactly those minimums (``numpy==1.26``, ...) and the test runner,
and runs the view and widget tests there against this source tree. A blitted frame must equal a
full draw on both.

The environment is kept in ``.venv-floors/<key>/`` (git-ignored) and reused while the pins,
the test tools and the Python are the same; ``<key>`` is a hash of them.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import sys
import time
from pathlib import Path

import pytest
from packaging.version import Version

from venvs import REPO, create_venv, floor_pins, installed_versions, isolated_env, requirements, run

CACHE = REPO / ".venv-floors"
# The tests run on the floors: those that draw with matplotlib and drive ipywidgets and ipympl,
# and the scan for private names of other libraries (which names are private depends on the
# installed versions), where it exists.
FLOOR_TESTS = tuple(path for path in ("tests/widgets", "tests/test_public_api_only.py")
                    if (REPO / path).exists())
# From the [test] extra: what FLOOR_TESTS need besides stepnn's own dependencies.
TEST_TOOLS = ("pytest",)
COMPLETE = "complete"  # written last: a folder without it is a build that did not finish


def floor_test_tools() -> list[str]:
    """The requirement strings of TEST_TOOLS, as the [test] extra spells them."""
    extra = requirements("test")
    return [str(extra[name]) for name in TEST_TOOLS]


def environment_key(pins: list[str], tools: list[str]) -> str:
    """A short hash of everything the floor environment is built from."""
    recipe = "\n".join([*pins, *tools, sys.version, sys.executable])
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:16]


def floor_environment(scratch: Path) -> Path:
    """The virtual environment with the floor pins and the test tools (built once, then reused).

    Returns its folder. Environments built from other recipes are removed.
    """
    pins, tools = floor_pins(), floor_test_tools()
    CACHE.mkdir(exist_ok=True)
    venv = CACHE / environment_key(pins, tools)
    with open(CACHE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time, other runs wait and reuse it
        if not (venv / COMPLETE).exists():
            shutil.rmtree(venv, ignore_errors=True)
            bin_dir = create_venv(venv)
            env = isolated_env(venv, scratch)
            run([str(bin_dir / "python"), "-m", "pip", "install", *pins, *tools], REPO, env,
                timeout=1200)
            (venv / COMPLETE).write_text("\n".join([*pins, *tools]) + "\n", encoding="utf-8")
        for old in CACHE.iterdir():
            if old.is_dir() and old != venv:
                shutil.rmtree(old, ignore_errors=True)
    return venv


PROBE = '''
import sys
from importlib.metadata import version
import stepnn
print("STEPNN", stepnn.__file__)
for name in sys.argv[1:]:
    print("VERSION", name, version(name))
'''


@pytest.mark.floors
def test_the_view_and_widget_tests_pass_on_the_floor_versions(tmp_path):
    started = time.perf_counter()
    venv = floor_environment(tmp_path)
    built = time.perf_counter()
    python = venv / "bin" / "python"
    env = isolated_env(venv, tmp_path)
    # this source tree, not an installed copy: the cached environment holds no stepnn
    env["PYTHONPATH"] = str(REPO)

    pins = dict(pin.split("==") for pin in floor_pins())
    installed = installed_versions(python, env)
    for name, version in pins.items():
        assert Version(installed.get(name, "0")) == Version(version), (
            f"the floor environment has {name} {installed.get(name)}, not the floor {version}")
    run([str(python), "-m", "pip", "check"], REPO, env, timeout=300)
    probe = run([str(python), "-c", PROBE, *pins], REPO, env, timeout=300)
    assert f"STEPNN {REPO / 'stepnn' / '__init__.py'}" in probe, probe

    # -o addopts="": no workers, no nbval (neither is installed there); -p no:cacheprovider
    # leaves no .pytest_cache behind
    out = run([str(python), "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider",
               "--strict-markers", "-q", *FLOOR_TESTS], REPO, env, timeout=60 * 30)
    assert " passed" in out and " failed" not in out, out[-3000:]
    print(f"\nfloors: environment {built - started:.0f} s, tests {time.perf_counter() - built:.0f} s\n"
          f"{probe}{out.strip().splitlines()[-1]}")
