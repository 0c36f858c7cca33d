"""The core is numpy only: importing it pulls in neither matplotlib nor ipywidgets."""
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import stepnn as sn

REPO_ROOT = Path(__file__).resolve().parents[2]


def core_modules() -> list:
    """Every top-level module of the package (stepnn/*.py), views/ and widgets/ excluded."""
    return sorted(f"stepnn.{m.name}" for m in pkgutil.iter_modules(sn.__path__)
                  if not m.ispkg and m.name != "__main__")


def _modules_after_import(names: list) -> list:
    code = ("import json, sys\n"
            + "".join(f"import {name}\n" for name in names)
            + "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    return json.loads(out.stdout)


def test_import_stepnn_loads_neither_matplotlib_nor_ipywidgets():
    loaded = _modules_after_import(["stepnn"])
    assert "stepnn" in loaded and "numpy" in loaded
    heavy = [m for m in loaded if m.split(".")[0] in ("matplotlib", "ipywidgets", "IPython")]
    assert heavy == []


def test_every_core_module_is_numpy_only():
    modules = core_modules()
    assert {"stepnn.trainer", "stepnn.losses", "stepnn.backprop"} <= set(modules)
    loaded = _modules_after_import(modules)
    heavy = [m for m in loaded if m.split(".")[0] in ("matplotlib", "ipywidgets")]
    assert heavy == []


def test_public_names_resolve():
    for name in sn.__all__:
        assert getattr(sn, name) is not None, name
    assert isinstance(sn.__version__, str) and sn.__version__
    assert sn.PHASES == ("forward", "loss", "backward", "update")
    assert issubclass(sn.PhaseError, RuntimeError)
