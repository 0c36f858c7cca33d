"""stepnn uses only the public API of other libraries: no private attribute (``obj._x``), no
private module (``matplotlib._api``, ``from x._y import ...``), no private name imported from
another library, no ``__class__`` assignment. A private name of another library breaks on its
next release and cannot be tested on the versions a student has.

The rules, checked on the source (ast) of every module of the package:

- ``._name`` (one leading underscore, not a dunder such as ``__init__``, nor IPython's display
  protocol ``_repr_*_``) only directly on ``self``, ``cls`` or a name imported from stepnn itself
  (a relative import or ``stepnn.``), or when ``_name`` is one stepnn defines (``self._name = ``,
  ``def _name``) and none of the libraries it uses does: the core reaches into its own objects
  (a history's entries, a loss's per-sample function);
- ``getattr``/``setattr``/``hasattr``/``delattr`` with a literal ``"_name"``: the same;
- no import of a module with a ``_``-prefixed part, or of a ``_``-prefixed name, from outside
  stepnn;
- no assignment to ``__class__``.
"""
from __future__ import annotations

import ast
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "stepnn"
OWN = "stepnn"
ATTRIBUTE_FUNCTIONS = {"getattr", "setattr", "hasattr", "delattr"}
LIBRARIES = ("matplotlib", "numpy", "ipywidgets", "ipympl", "traitlets", "PIL", "contourpy", "IPython")
PROTOCOL = re.compile(r"_(repr|ipython)_\w*_$")   # IPython's display protocol: public by design


def private(name: str) -> bool:
    """A private name: a leading underscore, but not a dunder (``__init__`` is public protocol) nor
    IPython's display protocol (``_repr_mimebundle_``)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) \
        and not PROTOCOL.match(name)


@lru_cache(maxsize=1)
def defined_by_stepnn() -> frozenset:
    """The private names stepnn defines: attributes it assigns, functions, methods and classes."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return frozenset(n for n in names if private(n))


@lru_cache(maxsize=None)
def defined_by_a_library(name: str) -> "str | None":
    """The first of the libraries stepnn uses whose source defines ``name`` (None: none does)."""
    pattern = re.compile(rf"(def|class)\s+{re.escape(name)}\b|\.{re.escape(name)}\s*=[^=]")
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in spec.submodule_search_locations:
            for path in Path(root).rglob("*.py"):
                if pattern.search(path.read_text(encoding="utf-8", errors="ignore")):
                    return f"{library} ({path.name})"
    return None


def owned(name: str) -> bool:
    """A private name of stepnn's own objects: stepnn defines it and no library it uses does."""
    return name in defined_by_stepnn() and defined_by_a_library(name) is None


def own_module(module: "str | None", level: int) -> bool:
    return level > 0 or module == OWN or (module or "").startswith(OWN + ".")


def own_names(tree: ast.AST) -> set:
    """Names bound by imports from stepnn itself (relative imports included)."""
    names = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and own_module(node.module, node.level):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if own_module(alias.name, 0):
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Every use of another library's private API, and every ``__class__`` assignment, in ``source``."""
    tree = ast.parse(source, filename)
    allowed = own_names(tree)
    found = []

    def report(node, what):
        found.append(f"{filename}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not own_module(alias.name, 0) and any(map(private, alias.name.split("."))):
                    report(node, f"import of the private module {alias.name}")
        elif isinstance(node, ast.ImportFrom) and not own_module(node.module, node.level):
            if any(map(private, node.module.split("."))):
                report(node, f"import from the private module {node.module}")
            for alias in node.names:
                if private(alias.name):
                    report(node, f"import of the private name {node.module}.{alias.name}")
        elif isinstance(node, ast.Attribute):
            if node.attr == "__class__" and isinstance(node.ctx, ast.Store):
                report(node, "assignment to __class__")
            elif private(node.attr) and not (isinstance(node.value, ast.Name) and node.value.id in allowed) \
                    and not owned(node.attr):
                report(node, f"access to the private attribute .{node.attr} of {ast.unparse(node.value)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ATTRIBUTE_FUNCTIONS and len(node.args) >= 2:
            target, name = node.args[0], node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                if name.value == "__class__" and node.func.id == "setattr":
                    report(node, "assignment to __class__")
                elif private(name.value) and not (isinstance(target, ast.Name) and target.id in allowed) \
                        and not owned(name.value):
                    report(node, f"{node.func.id} of the private attribute {name.value!r}")
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules_to_scan():
    names = {p.relative_to(PACKAGE).as_posix() for p in MODULES}
    assert {"views/blit.py", "views/_base.py", "widgets/_base.py", "terms.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_private_api_of_other_libraries(path):
    found = violations(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert found == [], "private API of another library:\n" + "\n".join(found)


# ---------------------------------------------------------------- the scanner itself
@pytest.mark.parametrize("source", [
    "import matplotlib\nmatplotlib.font_manager.fontManager._find_fonts_by_props(p)",
    "def f(text):\n    text._renderer = r",
    "def f(fig):\n    return fig.canvas._last_buff",
    "class A:\n    def f(self):\n        return self.canvas._png_is_old",        # self.x is not self
    "import matplotlib._api",
    "from matplotlib._api import check_in_list",
    "from matplotlib import _api",
    "from matplotlib.backends import _backend_agg",
    "import numpy.core._multiarray_umath as m",
    "def f(t, C):\n    t.__class__ = C",
    "def f(t, C):\n    setattr(t, '__class__', C)",
    "def f(c):\n    return getattr(c, '_last_buff', None)",
    "def f(c):\n    return hasattr(c.canvas, '_png_is_old')",
    "def f(t):\n    return t._stale",        # defined by matplotlib even if stepnn defined it too
])
def test_the_scanner_finds_private_api(source):
    assert violations(source) != []


@pytest.mark.parametrize("source", [
    "class A:\n    def f(self):\n        self._cache = 1\n        return self._cache",
    "class A:\n    @classmethod\n    def f(cls):\n        return cls._registry",
    "from ..views._base import localize\nfrom . import _checks\n_checks._positive(1)",
    "from stepnn import _checks\n_checks._x",
    "import stepnn._checks as checks\nchecks._x",
    "class A:\n    def __init__(self):\n        super().__init__()\n        print(self.__class__.__name__)",
    "def f(x):\n    return x.__dict__, type(x).__name__",
    "def f(w):\n    return w._repr_mimebundle_()",
    "def f(loss_fn):\n    return loss_fn._per_sample",   # stepnn's own Loss
])
def test_the_scanner_allows_own_and_public_names(source):
    assert violations(source) == []


def test_names_both_stepnn_and_a_library_define_count_as_the_librarys():
    assert defined_by_a_library("_stale") is not None          # matplotlib's Artist
    assert defined_by_a_library("_per_sample") is None and "_per_sample" in defined_by_stepnn()
