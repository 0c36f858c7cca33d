"""What a student sees when printing a record: the loss name and value, shapes, the rule used."""
import numpy as np

import stepnn as sn

from .helpers import binary_trainer


def _one_iteration():
    tr = binary_trainer(n=20, batch_size=6, learning_rate=0.5)
    return tr, tr.forward(), tr.loss(), tr.backward(), tr.update()


def test_forward_record_repr():
    _, f, _, _, _ = _one_iteration()
    text = repr(f)
    assert "batch of 6 sample(s)" in text and "indices" in text
    assert "layer 1: z1 = x W1 + b1 (6, 4)" in text and "layer 2: z2 = a1 W2 + b2 (6, 1)" in text
    assert f"{f.z[1][0, 0]:.4f}"[:5] in text


def test_loss_record_repr_has_the_loss_name_and_value():
    _, _, lo, _, _ = _one_iteration()
    text = repr(lo)
    assert "binary_crossentropy" in text and f"{lo.value:.6g}" in text and "6 sample(s)" in text
    assert "diverged" not in text


def test_loss_record_repr_flags_a_divergence():
    rec = sn.LossRecord(float("inf"), np.array([np.inf]), np.zeros((1, 1)), np.zeros((1, 1)), "mse")
    assert "inf" in repr(rec) and "diverged" in repr(rec) and not rec.finite


def test_backward_record_repr_names_the_rule_and_gradients():
    _, _, _, b, _ = _one_iteration()
    text = repr(b)
    assert f"{b.grad_norm:.6g}" in text and "fused (a - y)/N" in text
    assert "dL/dW1 (2, 4)" in text and "dL/db2" in text
    assert text.index("layer 2") < text.index("layer 1")  # output layer first, as backprop runs


def test_update_record_repr():
    _, _, _, _, u = _one_iteration()
    text = repr(u)
    assert text.startswith("UpdateRecord(sgd, learning_rate=0.5") and "W1:" in text and "->" in text
