"""pytest set-up shared by the unit tests (tests/) and the lessons checked by nbval (notebooks/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

try:
    from nbval.plugin import IPyNbFile
except ImportError:  # nbval is a test extra; without it only tests/ can run
    IPyNbFile = None

# An ipympl figure is displayed as a widget view plus a text/html part holding a PNG of the
# figure, which differs between machines (fonts, anti-aliasing); the widget-view JSON carries a
# random model id. Neither says anything about the lesson's numbers, so nbval does not compare them.
NOT_COMPARED = ("text/html", "application/vnd.jupyter.widget-view+json")


def pytest_configure(config: pytest.Config) -> None:
    """Find the sanitize file next to this conftest when pytest runs from another folder."""
    option = getattr(config.option, "nbval_sanitize_with", None)
    if option and not os.path.isabs(option) and not os.path.exists(option):
        candidate = Path(config.rootpath, option)
        if candidate.exists():
            config.option.nbval_sanitize_with = str(candidate)


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Extend nbval's list of output parts that are not compared."""
    if IPyNbFile is not None and isinstance(collector, IPyNbFile):
        extra = tuple(key for key in NOT_COMPARED if key not in collector.skip_compare)
        collector.skip_compare = tuple(collector.skip_compare) + extra


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    """Start each notebook's kernel without the unit tests' MPLBACKEND=Agg.

    tests/conftest.py sets MPLBACKEND=Agg for the test process. A kernel inherits the environment,
    and with Agg a lesson's inline figures would never be displayed, so nbval would report their
    outputs as missing. The kernel starts during the set-up of the notebook's first cell.
    """
    if IPyNbFile is None or not isinstance(item.parent, IPyNbFile):
        return (yield)
    saved = os.environ.pop("MPLBACKEND", None)
    try:
        return (yield)
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved
