"""stepnn: watch a neural network learn, one step at a time.

    import stepnn as sn
    model = sn.Sequential([sn.Dense(2, 8, activation="relu"),
                           sn.Dense(8, 1, activation="sigmoid")], seed=0)
    tr = sn.Trainer(model, X, y, loss="binary_crossentropy", optimizer="sgd",
                    learning_rate=0.1, batch_size=16)
    tr.forward(); tr.loss(); tr.backward(); tr.update()   # one iteration, phase by phase

The core is numpy only; views (``stepnn.views``) and dashboards (``stepnn.widgets``) are imported
on their own.
"""
from . import (activations, batching, chain, datasets, exercises, initializers, losses, optimizers,
               regularizers, surface)
from .gradcheck import GradcheckReport, gradcheck
from .layers import Dense
from .model import Sequential
from .optimizers import SGD, Adagrad, Adam, RMSprop
from .records import BackwardRecord, ForwardRecord, LossRecord, UpdateRecord
from .saving import SessionFileError
from .sessions import load, save
from .stopping import StopReason
from .terms import get_language, say, set_language, words
from .trainer import PHASES, PhaseError, Trainer

__version__ = "0.1.0"

__all__ = ["activations", "batching", "chain", "datasets", "initializers", "losses", "optimizers",
           "regularizers", "surface", "exercises",
           "Dense", "Sequential", "Trainer", "PhaseError", "PHASES", "gradcheck", "GradcheckReport",
           "SGD", "RMSprop", "Adagrad", "Adam", "ForwardRecord", "LossRecord", "BackwardRecord",
           "UpdateRecord", "StopReason", "set_language", "get_language", "say", "words", "save", "load",
           "SessionFileError", "__version__"]
