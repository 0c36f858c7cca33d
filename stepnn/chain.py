"""The chain rule (연쇄 법칙) on a computation graph small enough to follow by hand.

A 2-2-1 network (two inputs, two sigmoid hidden units, one sigmoid output) and one sample:

    z1[j] = x[0] W1[0,j] + x[1] W1[1,j] + b1[j]        a1[j] = sigmoid(z1[j])      j = 0, 1
    z2[0] = a1[0] W2[0,0] + a1[1] W2[1,0] + b2[0]      a2[0] = sigmoid(z2[0])      (the prediction)
    L     = loss(y, a2[0])

Names follow the arrays of ``stepnn.Sequential``: W1 has shape (2, 2), so W1[1,0] joins x[1] to
z1[0]. The forward pass fills the nodes' values in that order, one node at a time. The backward
pass visits the same nodes in reverse, one at a time, and at each node applies

    downstream gradient = upstream gradient x local derivative,   e.g.
    dL/dz2[0] = dL/da2[0] x ∂a2[0]/∂z2[0]

(d: the total derivative of the loss, ∂: the local derivative of one node by its neighbour).
When a weighted sum z is done, the gradients of the weights and the bias feeding it are complete
too, and each one is checked against central finite differences in float64.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np

from . import activations, losses
from ._checks import as_float_matrix, positive_float
from .gradcheck import numerical_gradient
from .layers import check_param
from .records import UpdateRecord
from .terms import display_width, phrase
from .trainer import PhaseError

__all__ = ["ComputationGraph", "Node", "Parameter", "ForwardStep", "ChainStep", "WeightGradient",
           "LOSSES", "AGREE_RTOL", "AGREE_ATOL"]

LOSSES = ("mean_squared_error", "mean_absolute_error", "binary_crossentropy")
AGREE_RTOL, AGREE_ATOL = 1e-6, 1e-8  # backprop and finite differences "agree" within these
_SHAPES = ((2, 2), (2,), (2, 1), (1,))
_SIGMOID = activations.get("sigmoid")
_LOCAL_RULES = {  # ∂L/∂a2[0], the loss's own derivative, in words
    "mean_squared_error": "2 (a2[0] - y)",
    "mean_absolute_error": "sign(a2[0] - y)",
    "binary_crossentropy": "-y / a2[0] + (1 - y) / (1 - a2[0])",
}


def _num(v: float) -> str:
    return f"{v:.4g}"


def _factor(v: float) -> str:
    """A number as a factor of a product: negatives in parentheses."""
    return f"({_num(v)})" if v < 0 else _num(v)


@dataclass(eq=False)
class Node:
    """One node of the graph. ``value`` is set by the forward pass, ``grad`` (dL/d node) by backward.

    kind: "input", "weighted_sum", "activation" or "loss"; layer: 0 inputs, 1 hidden, 2 output,
    3 loss; unit: the position in the layer.
    """
    name: str
    kind: str
    layer: int
    unit: int
    value: "float | None" = None
    grad: "float | None" = None

    def __repr__(self) -> str:
        value = "-" if self.value is None else _num(self.value)
        grad = "-" if self.grad is None else _num(self.grad)
        return f"Node({self.name}: {self.kind}, value {value}, dL/d{self.name} {grad})"


@dataclass(frozen=True)
class Parameter:
    """A weight or bias: entry ``index`` of array ``array`` (0 W1, 1 b1, 2 W2, 3 b2), on the edge
    source -> target (source is None for a bias)."""
    name: str
    array: int
    index: tuple
    source: "str | None"
    target: str


@dataclass(frozen=True, repr=False)
class ForwardStep:
    """One node computed by the forward pass: ``formula`` with names, ``numbers`` with values."""
    node: str
    formula: str
    numbers: str
    value: float

    def __str__(self) -> str:
        return f"{self.formula} = {self.numbers} = {_num(self.value)}"

    __repr__ = __str__


@dataclass(frozen=True, repr=False)
class WeightGradient:
    """dL/dw = dL/dz x ∂z/∂w for one parameter w, beside its finite-difference estimate."""
    name: str
    upstream_name: str
    upstream: float
    local: float
    grad: float
    numeric: float

    @property
    def difference(self) -> float:
        return abs(self.grad - self.numeric)

    @property
    def agrees(self) -> bool:
        return bool(np.isclose(self.grad, self.numeric, rtol=AGREE_RTOL, atol=AGREE_ATOL))

    def __str__(self) -> str:
        target = self.upstream_name[len("dL/d"):]
        verdict = "agree" if self.agrees else "DISAGREE"
        return (f"dL/d{self.name} = {self.upstream_name} × ∂{target}/∂{self.name} = "
                f"{_factor(self.upstream)} × {_factor(self.local)} = {_num(self.grad)}   "
                f"(finite difference {_num(self.numeric)}: {verdict}, they differ by "
                f"{self.difference:.1e})")

    __repr__ = __str__


@dataclass(frozen=True, repr=False)
class ChainStep:
    """One backward step at ``node``: grad = upstream x local (``local_rule`` says what local is)."""
    node: str
    upstream_name: str
    upstream: float
    local_name: str
    local_rule: str
    local: float
    grad: float
    weights: tuple = ()
    note: str = ""

    def __str__(self) -> str:
        if not self.upstream_name:
            return f"dL/d{self.node} = {_num(self.grad)}   (start: the loss changes one for one with itself)"
        line = (f"dL/d{self.node} = {self.upstream_name} × {self.local_name} = "
                f"{_factor(self.upstream)} × {_factor(self.local)} = {_num(self.grad)}   "
                f"[{self.local_name} = {self.local_rule}]")
        lines = [line] + ([f"  {self.note}"] if self.note else [])
        return "\n".join(lines + [f"  {w}" for w in self.weights])

    __repr__ = __str__


def _build_nodes() -> list[Node]:
    """All nodes in forward (topological) order: inputs, z1, a1, z2, a2, L."""
    return ([Node(f"x[{i}]", "input", 0, i) for i in range(2)]
            + [Node(f"z1[{j}]", "weighted_sum", 1, j) for j in range(2)]
            + [Node(f"a1[{j}]", "activation", 1, j) for j in range(2)]
            + [Node("z2[0]", "weighted_sum", 2, 0), Node("a2[0]", "activation", 2, 0),
               Node("L", "loss", 3, 0)])


def _build_parameters() -> list[Parameter]:
    params = []
    for layer, inputs in ((1, ("x[0]", "x[1]")), (2, ("a1[0]", "a1[1]"))):
        n_out = _SHAPES[2 * (layer - 1)][1]
        for j in range(n_out):
            for i, source in enumerate(inputs):
                params.append(Parameter(f"W{layer}[{i},{j}]", 2 * (layer - 1), (i, j), source,
                                        f"z{layer}[{j}]"))
            params.append(Parameter(f"b{layer}[{j}]", 2 * layer - 1, (j,), None, f"z{layer}[{j}]"))
    return params


def _one_target(y) -> np.ndarray:
    """y as a (1, 1) array, or a clear error."""
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.size != 1:
        raise ValueError(phrase("errors.chain.one_target", y=y))
    return arr.reshape(1, 1)


def _check_loss(loss) -> losses.Loss:
    fn = losses.get(loss)
    if fn.name not in LOSSES or fn.from_logits:
        raise ValueError(phrase("errors.chain.loss", losses=", ".join(LOSSES), fn=fn))
    return fn


class ComputationGraph:
    """The 2-2-1 sigmoid network on one sample, as nodes you can step through.

    Args:
        x: the sample's two inputs, shape (2,) or (1, 2).
        y: its target: a number in [0, 1] (0 or 1 for binary cross-entropy).
        weights: [W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,)], the layout of ``Sequential.get_weights()``.
        loss: "mse" (default), "mae" or "binary_crossentropy" (Keras names and aliases).

    Attributes:
        nodes: the nodes in forward order; parameters: the 9 weights and biases.
        forward_steps, backward_steps: what has been computed so far, in order.
    """

    def __init__(self, x, y, weights, loss="mse"):
        self.loss = _check_loss(loss)
        self.x = as_float_matrix("x", np.atleast_2d(x), n_features=2,
                                 owner="graph_input")
        if len(self.x) != 1:
            raise ValueError(phrase("errors.chain.one_sample", shape=self.x.shape))
        self.y = self.loss.check_labels(_one_target(y), 1)
        weights = list(weights)
        if len(weights) != 4:
            raise ValueError(phrase("errors.chain.weights", n=len(weights)))
        self.params = [check_param(n, w, s) for n, w, s in zip(("W1", "b1", "W2", "b2"), weights, _SHAPES)]
        self.nodes = _build_nodes()
        self.parameters = _build_parameters()
        self._by_name = {node.name: node for node in self.nodes}
        self.forward_order = [n.name for n in self.nodes if n.kind != "input"]
        self.backward_order = self.forward_order[::-1]
        self.last_update: "UpdateRecord | None" = None
        self.losses: list[float] = []  # the loss after each completed forward pass
        self.clear()

    @classmethod
    def example(cls, seed: int = 0, loss="mse") -> "ComputationGraph":
        """A random sample and random weights, rounded to 2 decimals so they can be followed by hand."""
        if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
            raise ValueError(phrase("errors.chain.seed", seed=seed))
        rng = np.random.default_rng(int(seed))
        x = np.round(rng.uniform(-2.0, 2.0, 2), 2)
        weights = [np.round(rng.normal(0.0, 1.0, (2, 2)), 2), np.round(rng.normal(0.0, 0.5, 2), 2),
                   np.round(rng.normal(0.0, 1.0, (2, 1)), 2), np.round(rng.normal(0.0, 0.5, 1), 2)]
        return cls(x, float(rng.integers(0, 2)), weights, loss)

    # ------------------------------------------------------------------ state
    def clear(self) -> None:
        """Forget the forward and backward values (the weights stay)."""
        for node in self.nodes:
            node.value = float(self.x[0, node.unit]) if node.kind == "input" else None
            node.grad = None
        self.forward_steps: list[ForwardStep] = []
        self.backward_steps: list[ChainStep] = []
        self.weight_gradients: dict[str, WeightGradient] = {}
        self._numeric: "list[np.ndarray] | None" = None

    def node(self, name: str) -> Node:
        if name not in self._by_name:
            raise KeyError(phrase("errors.chain.node", name=name, nodes=", ".join(self._by_name)))
        return self._by_name[name]

    def value_of(self, param: Parameter) -> float:
        return float(self.params[param.array][param.index])

    @property
    def weights(self) -> list[np.ndarray]:
        """Copies of [W1, b1, W2, b2]."""
        return [p.copy() for p in self.params]

    @property
    def next_forward(self) -> "str | None":
        done = len(self.forward_steps)
        return self.forward_order[done] if done < len(self.forward_order) else None

    @property
    def next_backward(self) -> "str | None":
        done = len(self.backward_steps)
        return self.backward_order[done] if done < len(self.backward_order) else None

    @property
    def forward_done(self) -> bool:
        return self.next_forward is None

    @property
    def backward_done(self) -> bool:
        return self.next_backward is None

    @property
    def loss_value(self) -> "float | None":
        return self.node("L").value

    @property
    def gradients(self) -> list[np.ndarray]:
        """[dL/dW1, dL/db1, dL/dW2, dL/db2] as far as backward has got (NaN where not yet known)."""
        grads = [np.full(s, np.nan) for s in _SHAPES]
        for p in self.parameters:
            if p.name in self.weight_gradients:
                grads[p.array][p.index] = self.weight_gradients[p.name].grad
        return grads

    @property
    def numeric_gradients(self) -> list[np.ndarray]:
        """Central finite differences of the loss for [W1, b1, W2, b2] (float64, eps 1e-6)."""
        if self._numeric is None:
            params = self.weights
            self._numeric = numerical_gradient(lambda: self._loss_at(params), params)
        return [g.copy() for g in self._numeric]

    def _loss_at(self, params: list) -> float:
        # the same array operations as Sequential.forward, so the numbers match the core's
        W1, b1, W2, b2 = params
        a1 = _SIGMOID.forward(self.x @ W1 + b1)
        a2 = _SIGMOID.forward(a1 @ W2 + b2)
        return float(np.mean(self.loss.per_sample(self.y, a2)))

    # ---------------------------------------------------------------- forward
    def forward_step(self) -> ForwardStep:
        """Compute the next node's value from the nodes before it."""
        node = self._next(self.next_forward, "errors.chain.forward_complete")
        step = self._apply(node, {"weighted_sum": self._weighted_sum, "activation": self._activation,
                                  "loss": self._loss})
        node.value = step.value
        self.forward_steps.append(step)
        if self.forward_done:
            self.losses.append(step.value)
        return step

    def _next(self, name: "str | None", finished: str) -> Node:
        """The node ``name``, or a PhaseError saying ``PHRASES[finished]`` when there is none."""
        if name is None:
            raise PhaseError(phrase(finished))
        return self.node(name)

    @staticmethod
    def _apply(node: Node, rules: dict):
        """The rule for this kind of node; overflow gives inf, not a warning (as in the core)."""
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return rules[node.kind](node)

    def forward(self) -> float:
        """Run the rest of the forward pass; return the loss."""
        while not self.forward_done:
            self.forward_step()
        return self.loss_value

    def _inputs_of(self, layer: int) -> list[Node]:
        kind = "input" if layer == 1 else "activation"
        return [n for n in self.nodes if n.kind == kind and n.layer == layer - 1]

    def _weighted_sum(self, node: Node) -> ForwardStep:
        inputs = self._inputs_of(node.layer)
        W, b = self.params[2 * node.layer - 2], self.params[2 * node.layer - 1]
        j, layer = node.unit, node.layer
        terms = [f"{n.name}·W{layer}[{i},{j}]" for i, n in enumerate(inputs)]
        numbers = [f"{_factor(n.value)}·{_factor(W[i, j])}" for i, n in enumerate(inputs)]
        value = float(np.array([n.value for n in inputs]) @ W[:, j] + b[j])
        return ForwardStep(node.name, f"{node.name} = {' + '.join(terms)} + b{layer}[{j}]",
                           f"{' + '.join(numbers)} + {_factor(b[j])}", value)

    def _activation(self, node: Node) -> ForwardStep:
        z = self.node(f"z{node.layer}[{node.unit}]").value
        value = float(_SIGMOID.forward(np.array(z)))
        return ForwardStep(node.name, f"{node.name} = sigmoid(z{node.layer}[{node.unit}])",
                           f"1 / (1 + e^-{_factor(z)})", value)

    def _loss(self, node: Node) -> ForwardStep:
        a = self.node("a2[0]").value
        value = self.loss(self.y, np.array([[a]]))
        return ForwardStep(node.name, f"L = {self.loss.name}(y, a2[0])",
                           f"{self.loss.name}({_num(self.y[0, 0])}, {_num(a)})", value)

    # --------------------------------------------------------------- backward
    def backward_step(self) -> ChainStep:
        """Move one node back: dL/d(node) = upstream gradient x local derivative."""
        if not self.forward_done:
            raise PhaseError(phrase("errors.chain.forward_first", done=len(self.forward_steps),
                                    n=len(self.forward_order), next=self.next_forward))
        node = self._next(self.next_backward, "errors.chain.backward_complete")
        step = self._apply(node, {"loss": self._back_loss, "activation": self._back_activation,
                                  "weighted_sum": self._back_weighted_sum})
        node.grad = step.grad
        self.backward_steps.append(step)
        for w in step.weights:
            self.weight_gradients[w.name] = w
        return step

    def backward(self) -> list[ChainStep]:
        """Run the rest of the backward pass; return the steps it took."""
        steps = []
        while not self.backward_done:
            steps.append(self.backward_step())
        return steps

    def _back_loss(self, node: Node) -> ChainStep:
        return ChainStep(node.name, "", 1.0, "", "", 1.0, 1.0)

    def _back_activation(self, node: Node) -> ChainStep:
        if node.layer == 2:  # the prediction: its local derivative is the loss's own derivative
            g = float(self.loss.gradient(self.y, np.array([[node.value]]))[0, 0])
            return ChainStep(node.name, "dL/dL", 1.0, f"∂L/∂{node.name}",
                             _LOCAL_RULES[self.loss.name], g, g)
        # a hidden activation feeds z2[0] through W2[j,0]: ∂z2[0]/∂a1[j] = W2[j,0]
        upstream, w = self.node("z2[0]").grad, float(self.params[2][node.unit, 0])
        return ChainStep(node.name, "dL/dz2[0]", upstream, f"∂z2[0]/∂{node.name}",
                         f"W2[{node.unit},0]", w, upstream * w)

    def _back_weighted_sum(self, node: Node) -> ChainStep:
        a = self.node(f"a{node.layer}[{node.unit}]")
        upstream = a.grad
        local = float(_SIGMOID.backward(np.array(node.value), np.array(a.value), 1.0))
        grad = float(_SIGMOID.backward(np.array(node.value), np.array(a.value), np.array(upstream)))
        note = ""
        if node.layer == 2 and self.loss.name == "binary_crossentropy":
            note = (f"(sigmoid + binary cross-entropy shortcut: a2[0] - y = "
                    f"{_num(a.value - self.y[0, 0])})")
        step = ChainStep(node.name, f"dL/d{a.name}", upstream, f"∂{a.name}/∂{node.name}",
                         f"{a.name} (1 - {a.name})", local, grad, self._weight_grads(node, grad), note)
        return step

    def _weight_grads(self, node: Node, dz: float) -> tuple:
        numeric = self.numeric_gradients
        out = []
        for p in self.parameters:
            if p.target == node.name:
                local = 1.0 if p.source is None else self.node(p.source).value
                out.append(WeightGradient(p.name, f"dL/d{node.name}", dz, local, local * dz,
                                          float(numeric[p.array][p.index])))
        return tuple(out)

    # ----------------------------------------------------------------- update
    def update(self, learning_rate: float = 0.5) -> UpdateRecord:
        """Gradient descent: w <- w - learning_rate x dL/dw for all 9 parameters; then clear."""
        lr = positive_float("learning_rate", learning_rate)
        if not self.backward_done:
            raise PhaseError(phrase("errors.chain.backward_first", done=len(self.backward_steps),
                                    n=len(self.backward_order)))
        old = self.weights
        new = [p - lr * g for p, g in zip(old, self.gradients)]
        self.params = new
        self.last_update = UpdateRecord(old, [p.copy() for p in new],
                                        [n - o for n, o in zip(new, old)], lr, "sgd")
        self.clear()
        return self.last_update

    # ------------------------------------------------------------------ print
    def table(self, lang: "str | None" = None) -> str:
        """The nodes as a table: name, kind, value, dL/d(node); in ``lang`` (None: the language
        chosen by ``stepnn.set_language``)."""
        rows = [phrase("chain.table_head", lang)]
        for n in self.nodes:
            value = "-" if n.value is None else _num(n.value)
            grad = "-" if n.grad is None else _num(n.grad)
            kind = phrase(f"chain.kind.{n.kind}", lang)
            kind += " " * (14 - display_width(kind))
            rows.append(f"  {n.name:<7}{kind}{value:>11}{grad:>13}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        head = (f"ComputationGraph(2-2-1 sigmoid network, loss {self.loss.name}, "
                f"x = {self.x[0].tolist()}, y = {_num(self.y[0, 0])})")
        where = (f"forward {len(self.forward_steps)} of {len(self.forward_order)} nodes, backward "
                 f"{len(self.backward_steps)} of {len(self.backward_order)}"
                 + (f" (next: {self.next_backward})" if self.forward_done and not self.backward_done
                    else ""))
        steps = [f"  {line}" for s in self.backward_steps for line in str(s).splitlines()]
        body = ["chain-rule steps so far:"] + steps if steps else ["no chain-rule steps yet"]
        return "\n".join([head, self.table(), where] + body)
