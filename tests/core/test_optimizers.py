"""Optimizers: three steps each against the update rules of the torch.optim documentation,
written here in scalar Python, one weight at a time; torch's defaults; pure steps."""
import math

import numpy as np
import pytest

from stepnn import optimizers
from stepnn.optimizers import SGD, Adagrad, Adam, RMSprop

STEP_RTOL = 1e-13

P0 = [np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([0.3, -0.7])]
GRADS = [  # three steps; the first gradient is large so that amsgrad's running maximum matters
    [np.array([[3.0, -0.2], [0.4, 0.0]]), np.array([-1.5, 0.25])],
    [np.array([[0.1, 0.6], [-0.3, 0.05]]), np.array([0.2, -0.1])],
    [np.array([[-0.2, 0.3], [0.1, -0.4]]), np.array([0.05, 0.6])],
]


def sgd_rule(p, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    out, buf = [], None
    for t, g in enumerate(grads, 1):
        g = g + weight_decay * p
        if momentum:
            buf = g if t == 1 else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        out.append(p)
    return out


def rmsprop_rule(p, grads, lr, alpha=0.99, eps=1e-8, momentum=0.0, centered=False,
                 weight_decay=0.0):
    out, v, g_avg, buf = [], 0.0, 0.0, 0.0
    for g in grads:
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg * g_avg
        if momentum > 0:
            buf = momentum * buf + g / (math.sqrt(v_tilde) + eps)
            p = p - lr * buf
        else:
            p = p - lr * g / (math.sqrt(v_tilde) + eps)
        out.append(p)
    return out


def adagrad_rule(p, grads, lr, lr_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                 weight_decay=0.0):
    out, state_sum = [], initial_accumulator_value
    for t, g in enumerate(grads, 1):
        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        state_sum = state_sum + g * g
        p = p - clr * g / (math.sqrt(state_sum) + eps)
        out.append(p)
    return out


def adam_rule(p, grads, lr, beta_1=0.9, beta_2=0.999, eps=1e-8, amsgrad=False, weight_decay=0.0):
    out, m, v, v_max = [], 0.0, 0.0, 0.0
    for t, g in enumerate(grads, 1):
        g = g + weight_decay * p
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = m / (1 - beta_1 ** t)
        if amsgrad:
            v_max = max(v_max, v)
            v_hat = v_max / (1 - beta_2 ** t)
        else:
            v_hat = v / (1 - beta_2 ** t)
        p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(p)
    return out


CASES = [
    (SGD, sgd_rule, dict(learning_rate=0.1)),
    (SGD, sgd_rule, dict(learning_rate=0.1, momentum=0.9)),
    (SGD, sgd_rule, dict(learning_rate=0.1, momentum=0.8, dampening=0.3)),
    (SGD, sgd_rule, dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    (SGD, sgd_rule, dict(learning_rate=0.1, momentum=0.9, weight_decay=0.01)),
    (RMSprop, rmsprop_rule, dict(learning_rate=0.01)),
    (RMSprop, rmsprop_rule, dict(learning_rate=0.01, centered=True)),
    (RMSprop, rmsprop_rule, dict(learning_rate=0.01, momentum=0.9)),
    (RMSprop, rmsprop_rule, dict(learning_rate=0.01, alpha=0.9, centered=True, momentum=0.5)),
    (Adagrad, adagrad_rule, dict(learning_rate=0.1)),
    (Adagrad, adagrad_rule, dict(learning_rate=0.1, lr_decay=0.5)),
    (Adagrad, adagrad_rule, dict(learning_rate=0.1, initial_accumulator_value=0.2)),
    (Adam, adam_rule, dict(learning_rate=0.01)),
    (Adam, adam_rule, dict(learning_rate=0.01, amsgrad=True)),
    (Adam, adam_rule, dict(learning_rate=0.01, beta_2=0.5, amsgrad=True)),
    (Adam, adam_rule, dict(learning_rate=0.01, beta_1=0.5, beta_2=0.9, weight_decay=0.1)),
]


def _case_id(case):
    cls, _, hyper = case
    return cls.__name__ + "-" + "-".join(f"{k}={v}" for k, v in hyper.items() if k != "learning_rate")


def _by_hand(rule, hyper):
    """The rule applied to every weight separately; returns per step [W, b] arrays."""
    kwargs = {k: v for k, v in hyper.items()}
    lr = kwargs.pop("learning_rate")
    steps = [[np.empty_like(p) for p in P0] for _ in GRADS]
    for a, p in enumerate(P0):
        for idx in np.ndindex(p.shape):
            trajectory = rule(float(p[idx]), [float(g[a][idx]) for g in GRADS], lr, **kwargs)
            for t, value in enumerate(trajectory):
                steps[t][a][idx] = value
    return steps


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_three_steps_match_the_torch_update_rule(case):
    cls, rule, hyper = case
    opt = cls(**hyper)
    expected = _by_hand(rule, hyper)
    params, state = [p.copy() for p in P0], {}
    for t, grads in enumerate(GRADS):
        params, state = opt.step(params, grads, state)
        assert state["t"] == t + 1
        for got, want in zip(params, expected[t]):
            np.testing.assert_allclose(got, want, rtol=STEP_RTOL, atol=1e-15,
                                       err_msg=f"step {t + 1}")


@pytest.mark.parametrize("case", CASES[1:2] + CASES[8:9] + CASES[10:11] + CASES[13:14], ids=_case_id)
def test_step_is_pure(case):
    cls, _, hyper = case
    opt = cls(**hyper)
    params = [p.copy() for p in P0]
    grads = [g.copy() for g in GRADS[0]]
    _, state = opt.step(params, grads, {})
    frozen = {k: [a.copy() for a in v] if isinstance(v, list) else v for k, v in state.items()}
    opt.step(params, grads, state)
    for p, p0 in zip(params, P0):
        np.testing.assert_array_equal(p, p0)
    for g, g0 in zip(grads, GRADS[0]):
        np.testing.assert_array_equal(g, g0)
    for key, value in frozen.items():
        if isinstance(value, list):
            for a, b in zip(state[key], value):
                np.testing.assert_array_equal(a, b)
        else:
            assert state[key] == value


def test_the_cases_tell_the_variants_apart():
    """Each option changes the numbers here, so a rule that ignored it would fail above."""
    plain = _by_hand(adam_rule, dict(learning_rate=0.01, beta_2=0.5))[2][0]
    ams = _by_hand(adam_rule, dict(learning_rate=0.01, beta_2=0.5, amsgrad=True))[2][0]
    assert np.abs(plain - ams).max() > 1e-4
    nesterov = _by_hand(sgd_rule, dict(learning_rate=0.1, momentum=0.9, nesterov=True))[2][0]
    heavy_ball = _by_hand(sgd_rule, dict(learning_rate=0.1, momentum=0.9))[2][0]
    assert np.abs(nesterov - heavy_ball).max() > 1e-2
    centered = _by_hand(rmsprop_rule, dict(learning_rate=0.01, centered=True))[2][0]
    uncentered = _by_hand(rmsprop_rule, dict(learning_rate=0.01))[2][0]
    assert np.abs(centered - uncentered).max() > 1e-4
    decayed = _by_hand(adagrad_rule, dict(learning_rate=0.1, lr_decay=0.5))[2][0]
    constant = _by_hand(adagrad_rule, dict(learning_rate=0.1))[2][0]
    assert np.abs(decayed - constant).max() > 1e-3


def test_learning_rate_override_for_one_step():
    new, _ = SGD(learning_rate=0.1).step([np.array([1.0])], [np.array([2.0])], {}, learning_rate=0.5)
    assert new[0][0] == pytest.approx(0.0)


# torch.optim's documented defaults (torch 2.x), written out here; torch is not a test dependency
TORCH_DEFAULTS = {
    SGD: dict(learning_rate=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
    RMSprop: dict(learning_rate=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=False,
                  weight_decay=0.0),
    Adagrad: dict(learning_rate=1e-2, lr_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                  weight_decay=0.0),
    Adam: dict(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, eps=1e-8, amsgrad=False,
               weight_decay=0.0),
}


@pytest.mark.parametrize("cls", list(TORCH_DEFAULTS), ids=lambda c: c.__name__)
def test_defaults_are_torch_defaults(cls):
    assert cls().hyperparameters() == TORCH_DEFAULTS[cls]


@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("rmsprop", RMSprop), ("adagrad", Adagrad),
                                       ("adam", Adam), ("Adam", Adam)])
def test_get_by_name_with_learning_rate(name, cls):
    opt = optimizers.get(name, learning_rate=0.05)
    assert type(opt) is cls and opt.learning_rate == 0.05
    assert opt.name == name.lower()
    assert type(optimizers.get(name)) is cls


def test_get_passes_an_object_through_and_overrides_only_its_learning_rate():
    adam = Adam(learning_rate=0.2, beta_1=0.5)
    assert optimizers.get(adam) is adam
    changed = optimizers.get(adam, learning_rate=0.01)
    assert changed.learning_rate == 0.01 and changed.beta_1 == 0.5 and adam.learning_rate == 0.2


def test_get_with_hyperparameters():
    opt = optimizers.get("sgd", learning_rate=0.1, momentum=0.9, nesterov=True)
    assert opt.momentum == 0.9 and opt.nesterov


def test_unknown_optimizer_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        optimizers.get("adamw")
    message = str(info.value)
    assert "Could not interpret optimizer identifier: 'adamw'" in message
    for name in ("sgd", "rmsprop", "adagrad", "adam"):
        assert name in message


@pytest.mark.parametrize("make", [
    lambda: SGD(learning_rate=0.1, nesterov=True),
    lambda: SGD(learning_rate=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    lambda: SGD(learning_rate=0.1, momentum=-0.1),
    lambda: SGD(learning_rate=0.1, momentum=1.0),
    lambda: Adam(beta_1=1.0),
    lambda: Adam(eps=0.0),
    lambda: RMSprop(alpha=float("nan")),
    lambda: Adagrad(lr_decay=-1.0),
    lambda: SGD(learning_rate=0.0),
    lambda: SGD(learning_rate=float("inf")),
])
def test_bad_hyperparameters_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_repr_shows_every_hyperparameter():
    text = repr(Adam(learning_rate=0.01, amsgrad=True))
    assert text.startswith("Adam(") and "learning_rate=0.01" in text and "amsgrad=True" in text
    assert "momentum=0.9" in repr(SGD(learning_rate=0.1, momentum=0.9))
