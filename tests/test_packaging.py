"""Packaging: what pyproject.toml declares, and what `python -m build` makes of it.

The fast tests read pyproject.toml, the README, .ci/run and the package's imports. The slow
one (marker ``wheel``) builds the sdist and the wheel, installs the wheel into a fresh virtual
environment and runs a lesson's worth of stepnn there, from a folder outside the repository.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tarfile
import textwrap
import time
import zipfile
from email.parser import Parser
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

import stepnn
from venvs import (REPO, copy_repo, create_venv, floor, floor_pins, isolated_env, project,
                   requirements, run)

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

# Runtime dependencies that no `import` names, and what they are for.
NOT_IMPORTED = {"koreanize-matplotlib": "ships the NanumGothic font file that Korean figures use"}
PYTHONS = ("3.10", "3.11", "3.12")  # the versions the floors are checked on


def _guarded_by_import_error(node: ast.Try) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    return any(isinstance(h.type, ast.Name) and h.type.id in names for h in node.handlers)


def third_party_imports(package: Path, optional: bool = False) -> dict[str, set[str]]:
    """Top-level modules imported anywhere in ``package`` that are neither stdlib nor the package.

    Imports inside ``try: ... except ImportError`` are optional: left out unless ``optional``.
    Returns {module: {files importing it}}.
    """
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        guarded = set() if optional else {
            id(n) for t in ast.walk(tree) if isinstance(t, ast.Try) and _guarded_by_import_error(t)
            for stmt in t.body for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in guarded:
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


def distributions_of(module: str) -> set[str]:
    """Canonical names of the installed distributions that provide top-level ``module``."""
    return {canonicalize_name(d) for d in packages_distributions().get(module, [module])}


def readme_commands() -> list[str]:
    """The lines of the README's first code block."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```\w*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert block, "README.md has no code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


# ------------------------------------------------------------------------- dependencies
def test_every_package_stepnn_imports_is_a_runtime_dependency():
    imports = third_party_imports(REPO / "stepnn")
    assert "numpy" in imports  # the scan sees the core's imports
    declared = set(requirements())
    undeclared = {module: sorted(files) for module, files in imports.items()
                  if not distributions_of(module) & declared}
    assert not undeclared, (
        f"stepnn imports packages that pyproject.toml does not declare (module: files): {undeclared}")


def test_every_runtime_dependency_is_used_by_stepnn():
    """`pip install stepnn` brings only what the package uses; JupyterLab is the [lab] extra."""
    imported = set()
    for module in third_party_imports(REPO / "stepnn", optional=True):
        imported |= distributions_of(module)
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "stepnn").rglob("*.py"))
    for name in requirements():
        if name in NOT_IMPORTED:
            module = name.replace("-", "_")
            assert module in source, f"{name} ({NOT_IMPORTED[name]}) is never looked up in stepnn/"
        else:
            assert name in imported, (
                f"pyproject.toml declares {name} but stepnn never imports it: drop it or move it "
                "to an optional extra")
    assert "jupyterlab" not in requirements() and "jupyterlab" in requirements("lab")


def test_every_dependency_has_a_minimum_version():
    for extra in (None, "lab"):
        for name, requirement in requirements(extra).items():
            assert floor(requirement), f"pyproject.toml: give {name} a minimum version ('{name}>=X')"
    pins = floor_pins()
    for name in ("numpy", "matplotlib", "ipywidgets", "ipympl"):
        assert any(pin.startswith(f"{name}==") for pin in pins), pins


def test_the_python_classifiers_match_requires_python():
    table = project()
    pythons = [c.rsplit(" :: ", 1)[1] for c in table["classifiers"]
               if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert tuple(pythons) == PYTHONS
    supported = SpecifierSet(table["requires-python"])
    assert all(supported.contains(v) for v in pythons) and not supported.contains("3.9")


# ------------------------------------------------------------------- metadata and version
def test_the_version_has_one_source():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"] and "version" in config["project"]["dynamic"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "stepnn.__version__"}
    assert str(Version(stepnn.__version__)) == stepnn.__version__


def test_the_license_is_mit_in_a_license_file():
    table = project()
    assert table["license"] == "MIT" and table["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in text
    assert not any(c.startswith("License ::") for c in table["classifiers"]), (
        "the SPDX 'license' field replaces License classifiers (PEP 639)")


def test_urls_and_classifiers(require):
    table = project()
    urls = table["urls"]
    assert urls["Homepage"] == "https://github.com/stepnn/stepnn"
    assert all(url.startswith("https://github.com/stepnn/stepnn") for url in urls.values())
    try:
        from trove_classifiers import classifiers as known
    except ImportError:
        require("trove-classifiers is not installed (python -m pip install -e '.[test]')")
    unknown = [c for c in table["classifiers"] if c not in known]
    assert not unknown, f"not trove classifiers (PyPI refuses them): {unknown}"


# -------------------------------------------------------------------- README and CI
def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.match(r"# [^\n]+\n\n```bash\n", text), "README.md: a title, then the two commands"
    lab, tests = readme_commands()
    assert re.search(r"pip install .*\.\[lab\]", lab) and "jupyter lab notebooks/" in lab, lab
    assert re.search(r"pip install .*\.\[test\]", tests) and "pytest" in tests, tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, f".ci/run must run the README's test command: {tests}"


def test_the_readme_says_what_each_install_brings():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Install.*?(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert section, "README.md: a section '## Install...' says what each install brings"
    section = section.group(0)
    for extra in (None, "lab", "test"):
        for name in requirements(extra):
            assert name in section, f"README's install section does not name {name}"
    for extra in ("[lab]", "[test]", "pip install stepnn"):
        assert extra in section


# ---------------------------------------------------------------------- the wheel
SMOKE = textwrap.dedent('''
    """A lesson's worth of stepnn against the installed wheel: data, model, trainer, dashboard."""
    import re
    import warnings
    from importlib.metadata import version

    import matplotlib
    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.text import Text

    import stepnn as sn
    from stepnn.widgets import StepThrough

    print("STEPNN", sn.__file__)
    print("VERSION", version("stepnn"), sn.__version__)
    X, y = sn.datasets.iris()  # package data
    assert X.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]
    X_train, y_train, X_val, y_val = sn.datasets.train_val_split(X, y, validation_fraction=0.2, seed=0)
    model = sn.Sequential([sn.Dense(4, 8, activation="relu"),
                           sn.Dense(8, 3, activation="softmax")], seed=0)
    trainer = sn.Trainer(model, X_train, y_train, loss="sparse_categorical_crossentropy",
                         optimizer="adam", learning_rate=0.01, batch_size=16, seed=0,
                         validation_data=(X_val, y_val))
    before = trainer.evaluate()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        board = StepThrough(trainer, lang="ko", live=False, dpi=40)
        for _ in range(3):
            board.buttons["step"].click()
        png = board.snapshot()
    assert not board.errors, board.errors
    assert trainer.iteration == 3, trainer.iteration
    assert png.startswith(b"\\x89PNG")
    hangul = [t.get_text() for f in board.figures for t in f.findobj(Text)
              if re.search("[\\uac00-\\ud7a3]", t.get_text())]
    assert hangul, "no Korean text in the Korean dashboard's figures"
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    trainer.fit(epochs=30, verbose=False)
    after = trainer.evaluate()
    assert after < before, (before, after)
    print(f"KOREAN {len(hangul)} texts, e.g. {hangul[0]!r}")
    print(f"LOSS {before:.3f} -> {after:.3f}")
''')


def _sdist_expected(repo: Path) -> list[str]:
    """Files the sdist must carry for the tests and lessons to run from it."""
    patterns = ["LICENSE", "README.md", "pyproject.toml", "MANIFEST.in", "conftest.py",
                "nbval_sanitize.cfg", "stepnn/data/iris.csv", "tests/**/*.py", "lessons/*.py",
                "notebooks/*.ipynb", "binder/*", "docs/*.png", "benchmarks/*.py"]
    found = set()
    for pattern in patterns:
        found |= {p.relative_to(repo).as_posix() for p in repo.glob(pattern)
                  if p.is_file() and "__pycache__" not in p.parts}
    return sorted(found)


@pytest.mark.wheel
def test_the_wheel_installs_into_a_fresh_environment_and_runs_a_lesson(tmp_path, lessons, require):
    try:
        import build  # noqa: F401
    except ImportError:
        require("the build package is not installed (python -m pip install -e '.[test]')")
    started = time.perf_counter()
    repo = copy_repo(tmp_path / "repo", lessons)
    dist = tmp_path / "dist"
    build_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}
    # no options: the sdist first, then the wheel built from the unpacked sdist
    run([sys.executable, "-m", "build", "--outdir", str(dist), str(repo)], tmp_path, build_env,
        timeout=900)
    built = time.perf_counter()
    version = stepnn.__version__
    wheels, sdists = list(dist.glob("*.whl")), list(dist.glob("*.tar.gz"))
    assert [w.name for w in wheels] == [f"stepnn-{version}-py3-none-any.whl"], wheels
    assert [s.name for s in sdists] == [f"stepnn-{version}.tar.gz"], sdists

    with tarfile.open(sdists[0]) as sdist:
        prefix = f"stepnn-{version}/"
        members = {m.name.removeprefix(prefix) for m in sdist.getmembers() if m.isfile()}
    missing = sorted(set(_sdist_expected(repo)) - members)
    assert not missing, f"the sdist lacks (add them to MANIFEST.in): {missing}"
    assert not [m for m in members if "__pycache__" in m or m.endswith(".pyc")]

    info = f"stepnn-{version}.dist-info/"
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        metadata = Parser().parsestr(wheel.read(info + "METADATA").decode("utf-8"))
    strays = [n for n in names if not n.startswith(("stepnn/", info))]
    assert not strays, f"the wheel holds files outside the package: {strays[:10]}"
    assert "stepnn/data/iris.csv" in names and info + "licenses/LICENSE" in names
    assert metadata["License-Expression"] == "MIT" and metadata["Version"] == version
    shipped = {canonicalize_name(Requirement(r).name): Requirement(r)
               for r in metadata.get_all("Requires-Dist") if "extra ==" not in r}
    assert shipped == requirements(), (shipped, requirements())
    assert {"lab", "test"} <= set(metadata.get_all("Provides-Extra"))

    venv = tmp_path / "venv"
    bin_dir = create_venv(venv)
    env = isolated_env(venv, tmp_path)
    run([str(bin_dir / "python"), "-m", "pip", "install", str(wheels[0])], tmp_path, env, timeout=1200)
    installed = time.perf_counter()
    run([str(bin_dir / "python"), "-m", "pip", "check"], tmp_path, env, timeout=300)
    elsewhere = tmp_path / "elsewhere"  # not the source tree: only the installed package is importable
    elsewhere.mkdir()
    (elsewhere / "smoke.py").write_text(SMOKE, encoding="utf-8")
    out = run([str(bin_dir / "python"), "smoke.py"], elsewhere, env, timeout=600)
    stepnn_file = Path(re.search(r"^STEPNN (.+)$", out, re.MULTILINE).group(1))
    assert stepnn_file.is_relative_to(venv), f"stepnn came from {stepnn_file}, not the venv"
    assert f"VERSION {version} {version}" in out, out
    assert re.search(r"^KOREAN \d+ texts", out, re.MULTILINE), out
    usage = run([str(bin_dir / "stepnn"), "--help"], elsewhere, env, timeout=120)
    assert "links" in usage
    print(f"\nwheel: build {built - started:.0f} s, install {installed - built:.0f} s, "
          f"total {time.perf_counter() - started:.0f} s\n{out}")
