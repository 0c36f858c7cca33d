"""Matplotlib views of a trainer. Each view builds its artists once on given axes and
updates them in place from the trainer's records; the caller redraws the figure once, by
blitting when it wants speed: ``blit.Blitter`` redraws only the artists the views name in
``dynamic_artists()`` over a kept background (matplotlib's documented blitting)."""
from ._base import View, korean_font, localize, use_language
from .blit import Blitter
from .boundary import BoundaryView
from .curves import LearningCurveView
from .graph import GraphView, ParameterTableView, StepView
from .heatmaps import ActivationHeatmaps, GradientHeatmaps
from .loss_curves import ClippingView, LossCurveView, LossPoint, loss_point
from .network import NetworkView
from .surface import RaceSurfaceView, SurfaceView

__all__ = ["View", "korean_font", "use_language", "localize", "Blitter", "NetworkView", "ActivationHeatmaps",
           "GradientHeatmaps", "LearningCurveView", "SurfaceView", "RaceSurfaceView", "BoundaryView",
           "LossCurveView", "ClippingView", "LossPoint", "loss_point", "GraphView", "StepView",
           "ParameterTableView"]
