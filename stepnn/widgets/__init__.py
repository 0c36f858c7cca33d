"""ipywidgets dashboards whose buttons drive the training loop one step at a time."""
from ._base import Dashboard, ipympl_available
from .chain_rule import ChainRule
from .descent import DescentExplorer
from .loss_explorer import LossExplorer
from .race import OptimizerRace
from .stepthrough import StepThrough

__all__ = ["Dashboard", "ipympl_available", "StepThrough", "LossExplorer", "DescentExplorer",
           "OptimizerRace", "ChainRule"]
