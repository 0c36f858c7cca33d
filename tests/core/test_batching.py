"""Epoch, batch size, iteration: # of data = batch size x iterations, every sample once per epoch."""
import math

import numpy as np
import pytest

from stepnn import batching

from .helpers import binary_trainer


def _epoch_batches(tr):
    """Run one whole epoch; return the index arrays of its batches."""
    start, batches = tr.epoch, []
    while tr.epoch == start:
        tr.step()
        batches.append(tr.history.iterations[-1].indices)
    return batches


@pytest.mark.parametrize("n, bs", [(n, bs) for n in (1, 7, 12, 20, 33) for bs in (1, 2, 4, 5, 7)
                                   if bs <= n])
def test_iterations_per_epoch_is_ceil_or_floor_with_drop_last(n, bs):
    assert batching.iterations_per_epoch(n, bs) == math.ceil(n / bs)
    assert batching.iterations_per_epoch(n, bs, drop_last=True) == n // bs
    tr = binary_trainer(n=n, batch_size=bs)
    assert tr.iterations_per_epoch == math.ceil(n / bs)
    assert tr.n_samples == n and tr.batch_size == bs


@pytest.mark.parametrize("n, bs, sizes", [(12, 4, [4, 4, 4]), (10, 4, [4, 4, 2]), (10, 10, [10]),
                                          (3, 1, [1, 1, 1])])
def test_batch_sizes_of_one_epoch(n, bs, sizes):
    tr = binary_trainer(n=n, batch_size=bs)
    assert [len(b) for b in _epoch_batches(tr)] == sizes
    assert tr.epoch == 1 and tr.iteration == 0 and tr.samples_seen == n


def test_drop_last_skips_the_smaller_last_batch():
    tr = binary_trainer(n=10, batch_size=4, drop_last=True)
    assert tr.iterations_per_epoch == 2
    for epoch in range(3):
        batches = _epoch_batches(tr)
        assert [len(b) for b in batches] == [4, 4]
        used = np.concatenate(batches)
        assert len(set(used.tolist())) == 8  # without replacement
    assert tr.samples_seen == 24 and tr.global_iteration == 6


@pytest.mark.parametrize("bs, mode", [(1, "stochastic"), (5, "mini-batch"), (19, "mini-batch"),
                                      (20, "full-batch")])
def test_mode_names(bs, mode):
    assert batching.mode_name(bs, 20) == mode
    assert binary_trainer(n=20, batch_size=bs).mode == mode


@pytest.mark.parametrize("n, bs", [(20, 6), (17, 1), (16, 16), (9, 4)])
def test_each_epoch_is_a_permutation_without_replacement(n, bs):
    tr = binary_trainer(n=n, batch_size=bs)
    orders = []
    for _ in range(4):
        order = np.concatenate(_epoch_batches(tr))
        np.testing.assert_array_equal(np.sort(order), np.arange(n))  # every index exactly once
        orders.append(order)
    if n > 3:
        assert any(not np.array_equal(orders[0], o) for o in orders[1:])  # reshuffled per epoch


def test_shuffle_is_seeded():
    def orders(seed):
        tr = binary_trainer(n=20, batch_size=5, seed=seed)
        return [np.concatenate(_epoch_batches(tr)) for _ in range(2)]

    np.testing.assert_array_equal(orders(3), orders(3))
    assert not np.array_equal(orders(3)[0], orders(4)[0])


def test_without_shuffle_the_order_is_the_data_order():
    tr = binary_trainer(n=10, batch_size=4, shuffle=False)
    for _ in range(2):
        batches = _epoch_batches(tr)
        np.testing.assert_array_equal(np.concatenate(batches), np.arange(10))
    np.testing.assert_array_equal(batching.epoch_order(np.random.default_rng(0), 5, False),
                                  np.arange(5))


def test_samples_seen_and_counters_after_each_iteration():
    tr = binary_trainer(n=10, batch_size=4)
    expected = [(1, 0, 4), (2, 0, 8), (0, 1, 10), (1, 1, 14)]  # (iteration, epoch, samples seen)
    for g, (it, ep, seen) in enumerate(expected, 1):
        tr.step()
        assert (tr.iteration, tr.epoch, tr.samples_seen, tr.global_iteration) == (it, ep, seen, g)


def test_default_batch_size_is_keras_32_or_n():
    assert binary_trainer(n=50, batch_size=None).batch_size == 32
    assert binary_trainer(n=20, batch_size=None).batch_size == 20


@pytest.mark.parametrize("n, bs, drop_last, numbers", [
    (12, 4, False, ["12", "4", "3"]),
    (10, 4, False, ["10", "4", "2", "3"]),
    (10, 4, True, ["10", "4", "2", "8"]),
])
def test_explain_states_the_rule_with_live_numbers(n, bs, drop_last, numbers):
    tr = binary_trainer(n=n, batch_size=bs, drop_last=drop_last)
    text = tr.explain()
    assert text.startswith("# of data = batch size x iterations")
    for number in numbers:
        assert number in text.split(":", 1)[1]
    assert text == batching.explain(n, bs, drop_last)


def test_explain_follows_a_batch_size_change():
    tr = binary_trainer(n=12, batch_size=4)
    assert tr.explain().endswith("12 = 4 x 3")
    tr.set_batch_size(6)
    assert tr.explain().endswith("12 = 6 x 2")
    assert tr.iterations_per_epoch == 2


def test_batch_size_change_mid_epoch_covers_the_rest_of_the_epoch_once():
    tr = binary_trainer(n=10, batch_size=4)
    tr.step()
    tr.set_batch_size(3)
    assert tr.batch_size == 3
    assert tr.iterations_per_epoch == 1 + 2  # one done, 6 samples left in batches of 3
    batches = [tr.history.iterations[0].indices] + _epoch_batches(tr)
    assert [len(b) for b in batches] == [4, 3, 3]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))
    assert tr.iterations_per_epoch == 4  # the next epoch: ceil(10 / 3)
    assert [e.batch_size for e in tr.history.iterations] == [4, 3, 3]


def test_batch_size_change_mid_epoch_with_drop_last_keeps_full_batches():
    """With drop_last every batch has exactly batch_size samples, and the epoch has exactly
    iterations_per_epoch iterations, even when the batch size grows mid-epoch."""
    tr = binary_trainer(n=10, batch_size=3, drop_last=True)
    tr.step()
    tr.step()  # 6 of 10 used, 4 left
    tr.set_batch_size(5)  # more than what is left: this epoch has no full batch left
    # between iterations, an epoch still running has at least one iteration to go
    assert tr.iteration < tr.iterations_per_epoch, (tr.iteration, tr.iterations_per_epoch)
    sizes = []
    for _ in range(3):
        tr.step()
        sizes.append(len(tr.history.iterations[-1].indices))
        assert tr.iteration < tr.iterations_per_epoch
    assert sizes == [5, 5, 5], sizes
