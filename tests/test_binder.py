"""Binder: the binder/ folder builds an environment in which every lesson runs.

The fast tests read the files. The slow one (marker ``binder``) does what repo2docker does:
a fresh virtual environment, ``pip install -r binder/requirements.txt``, then ``binder/postBuild``
from the repository root. It checks that the pins are complete (pip installs nothing unpinned)
and consistent (``pip check``), then the widget front ends, and runs every lesson there.
"""

from __future__ import annotations

import re
import stat
import textwrap
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from venvs import REPO, copy_repo, create_venv, installed_versions, isolated_env, requirements, run

BINDER = REPO / "binder"
FRONT_ENDS = ("@jupyter-widgets/jupyterlab-manager", "jupyter-matplotlib")
# pip leaves these out of `pip freeze`; a virtual environment brings its own
INSTALLER_TOOLS = {"pip", "setuptools", "wheel"}


def binder_pins() -> dict[str, Requirement]:
    """binder/requirements.txt as {canonical name: requirement}, comments and blanks dropped."""
    pins = {}
    for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            pins[canonicalize_name(requirement.name)] = requirement
    return pins


def pinned_version(requirement: Requirement) -> str:
    """The one version ``name==VERSION`` pins."""
    (spec,) = requirement.specifier
    return spec.version


def test_every_runtime_dependency_is_pinned_for_binder():
    pins = binder_pins()
    missing = set(requirements()) - set(pins)
    assert not missing, f"add these to binder/requirements.txt with ==VERSION: {sorted(missing)}"
    for name, requirement in pins.items():
        operators = [spec.operator for spec in requirement.specifier]
        assert requirement.url is None and operators == ["=="], (
            f"binder/requirements.txt: pin {name} to one version with '==' (got '{requirement}'); "
            "a range or a local path defeats the cached Binder layer")


def test_the_widget_front_ends_are_pinned_with_their_python_packages():
    pins = binder_pins()
    for name in ("ipywidgets", "jupyterlab-widgets", "widgetsnbextension", "ipympl", "jupyterlab"):
        assert name in pins, f"pin {name} in binder/requirements.txt"


def test_every_pin_satisfies_what_pyproject_declares():
    """The pins are versions stepnn accepts: its runtime dependencies and the [lab] extra."""
    pins = binder_pins()
    declared = {**requirements(), **requirements("lab")}
    for name, requirement in declared.items():
        assert name in pins, f"pin {name} (pyproject.toml: '{requirement}') in binder/requirements.txt"
        version = pinned_version(pins[name])
        assert requirement.specifier.contains(version, prereleases=True), (
            f"binder/requirements.txt pins {name}=={version}, outside pyproject.toml's '{requirement}'")


def test_runtime_picks_python_3_11():
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"


def test_post_build_installs_the_package_without_touching_the_pins():
    post_build = BINDER / "postBuild"
    lines = [line.strip() for line in post_build.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == "#!/bin/bash"
    assert "set -e" in lines
    assert "pip install --no-deps ." in lines
    assert post_build.stat().st_mode & stat.S_IXUSR, "chmod +x binder/postBuild"


# ---------------------------------------------------------------------------------------------
# The simulated build

CHECK_KERNEL = '''
import sys, stepnn
print("KERNEL", sys.prefix)
print("STEPNN", stepnn.__file__)
'''

RUN_LESSONS = textwrap.dedent('''
    """Run every notebook given on the command line with a fresh kernel; exit 1 on the first error."""
    import sys, time
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient

    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(sys.argv[1])])
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(probe, timeout=120).execute()
    print(probe.cells[0].outputs[0]["text"], flush=True)
    for name in sys.argv[2:]:
        path = Path(name)
        start = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
        print(f"RAN {path.name} in {time.perf_counter() - start:.1f} s", flush=True)
''')


@pytest.mark.binder
def test_binder_build_runs_every_lesson(tmp_path, lessons):
    assert lessons, "no lessons (*.ipynb) in notebooks/: nothing for Binder to run"
    started = time.perf_counter()
    repo = copy_repo(tmp_path / "repo", lessons)
    venv = tmp_path / "venv"
    bin_dir = create_venv(venv)
    env = isolated_env(venv, tmp_path)

    run([str(bin_dir / "python"), "-m", "pip", "install", "-r", "binder/requirements.txt"],
        repo, env, timeout=1200)
    installed = time.perf_counter()
    # complete: installing the pins brought in nothing unpinned; consistent: pip finds no conflict
    unpinned = set(installed_versions(bin_dir / "python", env)) - set(binder_pins()) - INSTALLER_TOOLS
    assert not unpinned, f"binder/requirements.txt misses these dependencies of its pins: {sorted(unpinned)}"
    run([str(bin_dir / "python"), "-m", "pip", "check"], repo, env, timeout=300)
    run([str(repo / "binder" / "postBuild")], repo, env, timeout=600)
    run([str(bin_dir / "python"), "-m", "pip", "check"], repo, env, timeout=300)

    extensions = run([str(bin_dir / "jupyter"), "labextension", "list"], repo, env, timeout=120)
    for name in FRONT_ENDS:
        pattern = rf"^\s*{re.escape(name)}\s+v\S+\s+enabled\s+OK\b"
        assert re.search(pattern, extensions, re.MULTILINE), (
            f"{name} is not listed as 'enabled OK' by jupyter labextension list:\n{extensions}")

    script = tmp_path / "run_lessons.py"
    script.write_text(RUN_LESSONS, encoding="utf-8")
    notebooks = [str(repo / "notebooks" / lesson.name) for lesson in lessons]
    ran = run([str(bin_dir / "python"), str(script), CHECK_KERNEL, *notebooks], tmp_path, env,
              timeout=60 * 30)
    # the lessons ran in the Binder environment, against the installed package, not the source tree
    assert re.search(rf"^KERNEL {re.escape(str(venv))}$", ran, re.MULTILINE), ran
    stepnn_file = re.search(r"^STEPNN (.+)$", ran, re.MULTILINE).group(1)
    assert Path(stepnn_file).is_relative_to(venv), f"stepnn came from {stepnn_file}, not the venv"
    assert ran.count("RAN ") == len(lessons), ran
    print(f"\nbinder simulation: requirements {installed - started:.0f} s, "
          f"total {time.perf_counter() - started:.0f} s\n{ran}")
