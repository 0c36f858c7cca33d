"""The maths behind each phase, filled in with the current numbers of one sample of the batch.

Each function reads the trainer's public records (``last_forward``, ``last_loss``,
``last_backward``, ``last_update``) and returns HTML with LaTeX between ``$$ ... $$``, which
MathJax typesets (ipywidgets ``HTMLMath``; JupyterLab ships MathJax). Words come from
``stepnn.terms`` in English or Korean; formulas are symbols only, the same in both.

    forward    z = a_prev W + b, a = f(z), layer by layer, with the sample's vectors
    loss       the loss of the sample from y and y_hat, the batch mean, the penalty
    backward   dL/dw for one weight by the chain rule: dL/da x da/dz x dz/dw, summed over the batch
    update     w <- w - eta g (or the optimizer's own rule) for the weight that changed most

Numbers are shown with 4 significant digits (``num``); vectors and matrices longer than
``MAX_SHOWN`` entries are cut with a ``\\cdots``.
"""
from __future__ import annotations

import html

import numpy as np

from .terms import phrase

__all__ = ["stage", "num", "vec", "mat", "phase_maths", "forward_maths", "loss_maths",
           "backward_maths", "update_maths", "MAX_SHOWN", "DIGITS"]

MAX_SHOWN = 4   # entries per row or column of a vector or matrix; longer ones are cut
DIGITS = 4      # significant digits of every number shown


def stage(trainer) -> str:
    """The phase the loop ran last in this iteration ("start" when it has not begun)."""
    if trainer.last_update is not None:
        return "update"
    if trainer.last_backward is not None:
        return "backward"
    if trainer.last_loss is not None:
        return "loss"
    return "forward" if trainer.last_forward is not None else "start"


# ------------------------------------------------------------------------------ numbers
def num(value: float, paren: bool = False) -> str:
    """``value`` in LaTeX with ``DIGITS`` significant digits (1.5e-05 -> 1.5\\times10^{-5});
    ``paren`` puts a negative number in parentheses (inside a product)."""
    v = float(value)
    if not np.isfinite(v):
        text = r"\text{NaN}" if np.isnan(v) else (r"-\infty" if v < 0 else r"\infty")
    else:
        text = f"{v:.{DIGITS}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa}\times10^{{{int(exponent)}}}"
    return f"({text})" if paren and text.startswith("-") else text


def _cut(n: int) -> list:
    """Indices shown of n entries: all, or the first MAX_SHOWN - 1 then a gap (None)."""
    return list(range(n)) if n <= MAX_SHOWN else list(range(MAX_SHOWN - 1)) + [None]


def vec(values) -> str:
    """A row vector (n,) as a LaTeX bmatrix, cut after MAX_SHOWN - 1 entries when longer."""
    v = np.ravel(values)
    cells = [r"\cdots" if i is None else num(v[i]) for i in _cut(len(v))]
    return r"\begin{bmatrix}" + " & ".join(cells) + r"\end{bmatrix}"


def mat(values) -> str:
    """A matrix (r, c) as a LaTeX bmatrix, rows and columns cut as ``vec`` cuts."""
    m = np.atleast_2d(values)
    rows = []
    for i in _cut(m.shape[0]):
        if i is None:
            rows.append(" & ".join(r"\vdots" if j is not None else r"\ddots" for j in _cut(m.shape[1])))
        else:
            rows.append(" & ".join(r"\cdots" if j is None else num(m[i, j]) for j in _cut(m.shape[1])))
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _text(key: str, lang, **values) -> str:
    return f"<div>{html.escape(phrase(key, lang, **values))}</div>"


def _math(*lines: str) -> str:
    """Display formulas; HTML-escaped (a matrix's ``&`` becomes ``&amp;``): MathJax reads the
    page's text, where it is ``&`` again."""
    return "".join(f"<div>$${html.escape(line, quote=False)}$$</div>" for line in lines)


def _sample(trainer, sample: int) -> int:
    rec = trainer.last_forward
    return int(min(max(sample, 0), len(rec.x) - 1))


# ------------------------------------------------------------------------------ the phases
def phase_maths(trainer, sample: int = 0, lang: "str | None" = None) -> str:
    """The maths of the phase run last (see ``stage``) for sample ``sample`` of the batch, as
    HTML with ``$$``-delimited LaTeX, in ``lang`` ("en", "ko"; None: ``set_language``'s)."""
    st = stage(trainer)
    if st == "start":
        return _text("maths.start", lang)
    makers = {"forward": forward_maths, "loss": loss_maths, "backward": backward_maths,
              "update": update_maths}
    out = makers[st](trainer, sample, lang)
    if trainer.diverged:
        out = _text("maths.diverged", lang) + out
    return out


def forward_maths(trainer, sample: int = 0, lang: "str | None" = None) -> str:
    """z = a_prev W + b and a = f(z) for every layer, with sample ``sample``'s numbers; the
    first unit's weighted sum of the first layer written out term by term."""
    rec, layers = trainer.last_forward, trainer.model.layers
    s = _sample(trainer, sample)
    row = "-" if rec.indices is None else int(rec.indices[s])
    parts = [_text("maths.forward_head", lang, s=s, row=row)]
    for l, layer in enumerate(layers, 1):
        prev = rec.x[s] if l == 1 else rec.a[l - 2][s]
        src = "x" if l == 1 else f"a^{{({l - 1})}}"
        W, b = layer.W, layer.b
        parts.append(_text("maths.layer", lang, l=l, activation=layer.activation.name,
                           shape=f"{W.shape[0]} x {W.shape[1]}"))
        parts.append(_math(   # the numbers of x W + b on a line of their own: one line would not fit 848 px
            rf"z^{{({l})}} = {src}\,W^{{({l})}} + b^{{({l})}} = {vec(rec.z[l - 1][s])}",
            rf"{src}\,W^{{({l})}} + b^{{({l})}} = {vec(prev)}{mat(W)} + {vec(b)}",
            rf"a^{{({l})}} = \mathrm{{{layer.activation.name}}}\left(z^{{({l})}}\right) = {vec(rec.a[l - 1][s])}"))
        if l == 1:   # one weighted sum term by term: what each z is
            n = min(len(prev), MAX_SHOWN)
            terms = " + ".join(f"{num(prev[i], True)}\\cdot{num(W[i, 0], True)}" for i in range(n))
            more = r" + \cdots" if len(prev) > n else ""
            parts.append(_math(rf"z^{{(1)}}_1 = {terms}{more} + {num(b[0], True)} = {num(rec.z[0][s, 0])}"))
    return "".join(parts)


_LOSS_SYMBOLS = {
    "mean_squared_error": (r"\ell = \frac{1}{k}\sum_j (\hat y_j - y_j)^2", "({p} - {y})^2"),
    "mean_absolute_error": (r"\ell = \frac{1}{k}\sum_j |\hat y_j - y_j|", "|{p} - {y}|"),
    "binary_crossentropy": (r"\ell = -\frac{1}{k}\sum_j \left[y_j \log \hat y_j + (1 - y_j)\log(1 - \hat y_j)\right]",
                            r"-\left[{y}\,\log {p} + (1 - {y})\,\log(1 - {p})\right]"),
    "categorical_crossentropy": (r"\ell = -\sum_j y_j \log \hat y_j", r"-\log {p}"),
    "sparse_categorical_crossentropy": (r"\ell = -\log \hat y_{y}", r"-\log {p}"),
    "cee": (r"\ell = -\sum_j y_j \log \hat y_j", r"-\log {p}"),
}


def loss_maths(trainer, sample: int = 0, lang: "str | None" = None) -> str:
    """The loss of sample ``sample`` from y and y_hat, the batch mean, and the regularizers'
    penalty when there is one."""
    rec = trainer.last_loss
    s = _sample(trainer, sample)
    pred = np.ravel(rec.y_pred[s])
    y = np.ravel(rec.y_true[s]) if np.ndim(rec.y_true) > 1 else np.array([rec.y_true[s]])
    general, one = _LOSS_SYMBOLS.get(rec.name, (r"\ell = \ell(y, \hat y)", ""))
    parts = [_text("maths.loss_head", lang, name=rec.name, s=s),
             _math(rf"y = {vec(y)},\quad \hat y = {vec(pred)}", general)]
    from_logits = trainer.loss_fn.from_logits
    if one and not from_logits:
        if rec.name in ("categorical_crossentropy", "sparse_categorical_crossentropy", "cee"):
            c = int(np.argmax(y)) if len(y) > 1 else int(y[0])
            filled = one.format(p=num(pred[c]))
            parts.append(_math(rf"\ell = -\log \hat y_{{{c}}} = {filled} = {num(rec.per_sample[s])}"))
        elif len(pred) == 1:
            filled = one.format(p=num(pred[0]), y=num(y[0]))
            parts.append(_math(rf"\ell = {filled} = {num(rec.per_sample[s])}"))
        else:
            parts.append(_math(rf"\ell = {num(rec.per_sample[s])}"))
        if rec.name != "mean_squared_error" and rec.name != "mean_absolute_error" \
                and np.any((pred <= 1e-7) | (pred >= 1 - 1e-7)):
            parts.append(_text("maths.clipped", lang))
    else:
        parts.append(_math(rf"\ell = {num(rec.per_sample[s])}"))
    n = len(rec.per_sample)
    parts += [_text("maths.batch_mean", lang, n=n),
              _math(rf"L_{{\text{{data}}}} = \frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} \ell_i = {num(rec.data_loss)}")]
    if rec.penalty:
        terms = []
        for l, layer in enumerate(trainer.model.layers, 1):
            reg = layer.kernel_regularizer
            if reg is None:
                continue
            config = reg.get_config()
            if config.get("l1"):
                terms.append(rf"{num(config['l1'])}\sum|W^{{({l})}}|")
            if config.get("l2"):
                terms.append(rf"{num(config['l2'])}\sum \left(W^{{({l})}}\right)^2")
        parts += [_text("maths.penalty", lang),
                  _math(rf"L = L_{{\text{{data}}}} + {' + '.join(terms)} = {num(rec.data_loss)} + "
                        rf"{num(rec.penalty)} = {num(rec.value)}")]
    return "".join(parts)


def _largest(values: np.ndarray) -> tuple:
    """The (row, column) of the largest |value| (NaN counts as largest; ties: the first)."""
    mag = np.where(np.isnan(values), np.inf, np.abs(values))
    return np.unravel_index(int(np.argmax(mag)), values.shape)


def backward_maths(trainer, sample: int = 0, lang: "str | None" = None) -> str:
    """dL/dw by the chain rule for the weight with the largest |dL/dw| of the output layer (and of
    the first layer, when there are several): sample ``sample``'s factors, then the batch's sum."""
    layers = trainer.model.layers
    shown = [len(layers)] + ([1] if len(layers) > 1 else [])
    return "".join(_chain_for(trainer, l, sample, lang) for l in shown)


def _chain_for(trainer, l: int, sample: int, lang) -> str:
    fwd, bwd, layer = trainer.last_forward, trainer.last_backward, trainer.model.layers[l - 1]
    s, out = _sample(trainer, sample), l == len(trainer.model.layers)
    i, j = _largest(bwd.dW[l - 1])
    w = rf"w^{{({l})}}_{{{i + 1}{j + 1}}}"
    a_prev = (fwd.x if l == 1 else fwd.a[l - 2])[s, i]
    src = rf"x_{{{i + 1}}}" if l == 1 else rf"a^{{({l - 1})}}_{{{i + 1}}}"
    dz = bwd.dz[l - 1][s, j]
    zs = rf"z^{{({l})}}_{{{j + 1}}}"
    parts = [_text("maths.backward_head", lang, l=l, s=s)]
    lines = [rf"\frac{{\partial L}}{{\partial {w}}} = \sum_{{n}} \frac{{\partial L}}{{\partial {zs}}}"
             rf"\cdot\frac{{\partial {zs}}}{{\partial {w}}},\qquad \frac{{\partial {zs}}}{{\partial {w}}} = {src}"]
    if out and bwd.fused:
        parts.append(_text("maths.fused", lang, activation=layer.activation.name, loss=trainer.loss_fn.name))
        lines.append(rf"\frac{{\partial L}}{{\partial {zs}}} = \frac{{\hat y_{{{j + 1}}} - y_{{{j + 1}}}}}{{N}} = {num(dz)}")
    elif layer.activation.name == "softmax":
        lines.append(rf"\frac{{\partial L}}{{\partial {zs}}} = {num(dz)}")
    else:
        da = bwd.da[l - 1][s, j]
        local = float(layer.activation.backward(fwd.z[l - 1][s, j:j + 1], fwd.a[l - 1][s, j:j + 1],
                                                np.ones(1))[0])
        a_sym = rf"a^{{({l})}}_{{{j + 1}}}"
        if not out:   # the upstream gradient comes from the layer above
            lines.append(rf"\frac{{\partial L}}{{\partial {a_sym}}} = \sum_k \frac{{\partial L}}{{\partial z^{{({l + 1})}}_k}}"
                         rf"\, w^{{({l + 1})}}_{{{j + 1}k}} = {num(da)}")
        lines.append(rf"\frac{{\partial L}}{{\partial {zs}}} = \frac{{\partial L}}{{\partial {a_sym}}}\cdot"
                     rf"\frac{{\partial {a_sym}}}{{\partial {zs}}} = {num(da, True)}\cdot{num(local, True)} = {num(dz)}")
    lines.append(rf"\text{{\#{s}}}:\ \frac{{\partial L}}{{\partial {zs}}}\cdot {src} = {num(dz, True)}\cdot"
                 rf"{num(a_prev, True)} = {num(dz * a_prev)}")
    parts.append(_math(*lines))
    total, n = bwd.dW[l - 1][i, j], len(fwd.x)
    penalty = None if bwd.penalty_dW is None or bwd.penalty_dW[l - 1] is None else bwd.penalty_dW[l - 1][i, j]
    data = total - penalty if penalty is not None else total
    parts.append(_text("maths.sum_batch", lang, n=n))
    sums = rf"\frac{{\partial L}}{{\partial {w}}} = \sum_{{n=1}}^{{{n}}} (\cdots) = {num(data)}"
    if penalty is not None:
        sums += rf" + {num(penalty, True)} = {num(total)}"
        parts.append(_math(sums))
        parts.append(_text("maths.penalty_grad", lang))
    else:
        parts.append(_math(sums))
    return "".join(parts)


def _param_name(k: int, index: tuple) -> str:
    """LaTeX name of entry ``index`` of parameter k of [W1, b1, W2, b2, ...]."""
    l = k // 2 + 1
    if k % 2 == 0:
        return rf"w^{{({l})}}_{{{index[0] + 1}{index[1] + 1}}}"
    return rf"b^{{({l})}}_{{{index[0] + 1}}}"


def update_maths(trainer, sample: int = 0, lang: "str | None" = None) -> str:
    """w <- w - eta g for the weight (or bias) that changed most, by the rule of the optimizer
    that made the step (SGD, momentum, RMSprop, Adagrad, Adam), with its numbers."""
    rec, bwd = trainer.last_update, trainer.last_backward
    deltas = rec.delta
    mags = [float(np.nanmax(np.where(np.isnan(d), np.inf, np.abs(d)))) if d.size else -1.0 for d in deltas]
    k = int(np.argmax(mags))
    index = _largest(np.atleast_1d(deltas[k]))
    old, new = rec.old[k][index], rec.new[k][index]
    g = bwd.grads[k][index] if bwd is not None else np.nan
    name, lr = _param_name(k, index), rec.learning_rate
    opt, state = trainer.optimizer, trainer.optimizer_state
    same = opt.name == rec.optimizer and state.get("t", 0) > 0
    rule_key = "momentum" if same and opt.name == "sgd" and opt.momentum else rec.optimizer
    parts = [_text("maths.update_head", lang, optimizer=rec.optimizer),
             _text(f"maths.rule.{rule_key if same else 'other'}", lang)]
    lines = [rf"g = \frac{{\partial L}}{{\partial {name}}} = {num(g)}"]
    if same and getattr(opt, "weight_decay", 0):
        g = g + opt.weight_decay * old
        lines.append(rf"g \leftarrow g + {num(opt.weight_decay)}\,{name} = {num(g)}")
    rule = rf"{name} \leftarrow {name} - \eta\, g = {num(old)} - {num(lr)}\cdot{num(g, True)} = {num(new)}"
    if same:
        rule = _rule(opt, state, k, index, name, old, new, g, lr, lines) or rule
    elif rec.optimizer != "sgd":   # the optimizer changed since: its state is gone
        rule = rf"{name} \leftarrow {name} + \Delta = {num(old)} + {num(new - old, True)} = {num(new)}"
    lines.append(rule)
    parts.append(_math(*lines))
    parts.append(_text("maths.change", lang, delta=f"{new - old:.{DIGITS}g}"))
    return "".join(parts)


def _rule(opt, state, k, index, name, old, new, g, lr, lines) -> "str | None":
    """The optimizer's own rule for one parameter, its state's numbers appended to ``lines``;
    None for plain SGD (the default rule)."""
    def at(key):
        return state[key][k][index]
    t = state["t"]
    if opt.name == "sgd" and opt.momentum:
        v = at("buf")
        lines.append(rf"v \leftarrow {num(opt.momentum)}\,v + g = {num(v)}\quad(\mu = {num(opt.momentum)})")
        step = g + opt.momentum * v if opt.nesterov else v
        return rf"{name} \leftarrow {name} - \eta\, v = {num(old)} - {num(lr)}\cdot{num(step, True)} = {num(new)}"
    if opt.name == "rmsprop":
        v = at("v")
        lines.append(rf"v \leftarrow {num(opt.alpha)}\,v + (1 - {num(opt.alpha)})\,g^2 = {num(v)}")
        return (rf"{name} \leftarrow {name} - \eta\,\frac{{g}}{{\sqrt{{v}} + \epsilon}} = {num(old)} - "
                rf"{num(lr)}\cdot\frac{{{num(g)}}}{{{num(np.sqrt(v))} + {num(opt.eps)}}} = {num(new)}")
    if opt.name == "adagrad":
        acc = at("sum")
        lines.append(rf"s \leftarrow s + g^2 = {num(acc)}")
        return (rf"{name} \leftarrow {name} - \eta\,\frac{{g}}{{\sqrt{{s}} + \epsilon}} = {num(old)} - "
                rf"{num(lr)}\cdot\frac{{{num(g)}}}{{{num(np.sqrt(acc))} + {num(opt.eps)}}} = {num(new)}")
    if opt.name == "adam":
        m, v = at("m"), at("v_max" if opt.amsgrad else "v")
        b1, b2 = opt.beta_1, opt.beta_2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        lines += [rf"m \leftarrow {num(b1)}\,m + (1 - {num(b1)})\,g = {num(m)},\quad "
                  rf"v \leftarrow {num(b2)}\,v + (1 - {num(b2)})\,g^2 = {num(v)}",
                  rf"\hat m = \frac{{m}}{{1 - {num(b1)}^{{{t}}}}} = {num(m_hat)},\quad "
                  rf"\hat v = \frac{{v}}{{1 - {num(b2)}^{{{t}}}}} = {num(v_hat)}"]
        return (rf"{name} \leftarrow {name} - \eta\,\frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = {num(old)} - "
                rf"{num(lr)}\cdot\frac{{{num(m_hat)}}}{{{num(np.sqrt(v_hat))} + {num(opt.eps)}}} = {num(new)}")
    return None
