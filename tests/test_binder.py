"""Binder: the binder/ folder builds an environment in which every lesson runs.

The fast tests read the files. The slow one (marker ``binder``) does what repo2docker does:
a fresh virtual environment, ``pip install -r binder/requirements.txt``, then ``binder/postBuild``
from the repository root; then it checks the widget front ends and runs every lesson there.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
FRONT_ENDS = ("@jupyter-widgets/jupyterlab-manager", "jupyter-matplotlib")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def runtime_dependencies() -> set[str]:
    """Canonical names of the packages listed in pyproject.toml's [project] dependencies."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(spec).name) for spec in project["dependencies"]}


def binder_pins() -> dict[str, Requirement]:
    """binder/requirements.txt as {canonical name: requirement}, comments and blanks dropped."""
    pins = {}
    for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            pins[canonicalize_name(requirement.name)] = requirement
    return pins


def _guarded_by_import_error(node: ast.Try) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    return any(isinstance(h.type, ast.Name) and h.type.id in names for h in node.handlers)


def third_party_imports(package: Path) -> dict[str, set[str]]:
    """Top-level modules imported anywhere in ``package`` that are neither stdlib nor the package.

    Imports inside ``try: ... except ImportError`` are optional and left out.
    Returns {module: {files importing it}}.
    """
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        optional = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try) and _guarded_by_import_error(t)
                    for stmt in t.body for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("__future__", package.name):
                    found.setdefault(top, set()).add(str(path.relative_to(package.parent)))
    return found


def test_every_runtime_dependency_is_pinned_for_binder():
    pins = binder_pins()
    missing = runtime_dependencies() - set(pins)
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


def test_every_package_stepnn_imports_is_a_runtime_dependency():
    imports = third_party_imports(REPO / "stepnn")
    assert "numpy" in imports  # the scan sees the core's imports
    distributions = packages_distributions()
    declared = runtime_dependencies()
    undeclared = {}
    for module, files in imports.items():
        names = {canonicalize_name(d) for d in distributions.get(module, [module])}
        if not names & declared:
            undeclared[module] = sorted(files)
    assert not undeclared, (
        f"stepnn imports packages that pyproject.toml does not declare (module: files): {undeclared}")


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


def _copy_repo(destination: Path, lessons: list[Path]) -> Path:
    """The repository as a clone would have it, with the lessons under test in notebooks/."""
    ignore = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", ".venv*", "__pycache__",
                                    ".pytest_cache", ".hypothesis", "test-artifacts",
                                    ".ipynb_checkpoints", "notebooks")
    shutil.copytree(REPO, destination, ignore=ignore)
    (destination / "notebooks").mkdir()
    for lesson in lessons:
        shutil.copy2(lesson, destination / "notebooks" / lesson.name)
    return destination


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=timeout, check=False)
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, f"{' '.join(command)} exited with {result.returncode}:\n{output[-6000:]}"
    return output


@pytest.mark.binder
def test_binder_build_runs_every_lesson(tmp_path, lessons):
    assert lessons, "no lessons (*.ipynb) in notebooks/: nothing for Binder to run"
    started = time.perf_counter()
    repo = _copy_repo(tmp_path / "repo", lessons)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / "bin"

    env = {k: v for k, v in os.environ.items()
           if k not in ("MPLBACKEND", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_USER")}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        # keep this user's own Jupyter settings and kernels out of the simulated image
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        MPLCONFIGDIR=str(tmp_path / "mplconfig"),
    )

    _run([str(bin_dir / "python"), "-m", "pip", "install", "-r", "binder/requirements.txt"],
         repo, env, timeout=1200)
    installed = time.perf_counter()
    _run([str(repo / "binder" / "postBuild")], repo, env, timeout=600)

    extensions = _run([str(bin_dir / "jupyter"), "labextension", "list"], repo, env, timeout=120)
    for name in FRONT_ENDS:
        pattern = rf"^\s*{re.escape(name)}\s+v\S+\s+enabled\s+OK\b"
        assert re.search(pattern, extensions, re.MULTILINE), (
            f"{name} is not listed as 'enabled OK' by jupyter labextension list:\n{extensions}")

    script = tmp_path / "run_lessons.py"
    script.write_text(RUN_LESSONS, encoding="utf-8")
    notebooks = [str(repo / "notebooks" / lesson.name) for lesson in lessons]
    ran = _run([str(bin_dir / "python"), str(script), CHECK_KERNEL, *notebooks], tmp_path, env,
               timeout=60 * 30)
    # the lessons ran in the Binder environment, against the installed package, not the source tree
    assert re.search(rf"^KERNEL {re.escape(str(venv))}$", ran, re.MULTILINE), ran
    stepnn_file = re.search(r"^STEPNN (.+)$", ran, re.MULTILINE).group(1)
    assert Path(stepnn_file).is_relative_to(venv), f"stepnn came from {stepnn_file}, not the venv"
    assert ran.count("RAN ") == len(lessons), ran
    print(f"\nbinder simulation: requirements {installed - started:.0f} s, "
          f"total {time.perf_counter() - started:.0f} s\n{ran}")
