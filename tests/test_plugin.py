"""The student's own functions plugged into the trainer: Trainer(..., use={...}).

A correct function trains exactly as the package does (undo, redo and goto included); a wrong one
trains with its wrong numbers and the records and StepThrough show how far they are; a function
that cannot be used stops the phase with a clear error and leaves the trainer as it was."""
import html
import re
import warnings

import numpy as np
import pytest

import stepnn as sn
from stepnn.student import ACCEPTED, TOLERANCE, StudentCodeError
from stepnn.widgets.student import MARK, student_html
from stepnn.widgets.stepthrough import StepThrough

STEPS = 8
WRITTEN_DIFFERENTLY = 1e-12  # float64 code written another way agrees to rounding


# ------------------------------------------------------------------ the student's functions
def my_dense_forward(x, W, b):
    return x @ W + b


def my_dense_backward(x, W, dz):
    return x.T @ dz, dz.sum(axis=0), dz @ W.T


def einsum_dense_forward(x, W, b):
    return np.einsum("ni,io->no", x, W) + b[None, :]


def loop_dense_backward(x, W, dz):
    dW = sum(np.outer(x[n], dz[n]) for n in range(len(x)))
    db = sum(dz[n] for n in range(len(x)))
    return dW, db, np.einsum("no,io->ni", dz, W)


def db_mean(x, W, dz):  # a typical mistake: the mean where the sum is meant
    return x.T @ dz, dz.mean(axis=0), dz @ W.T


def uphill(x, W, dz):  # a sign error on dW and db: every step goes uphill
    return -(x.T @ dz), -dz.sum(axis=0), dz @ W.T


def mutating(x, W, dz):  # right numbers, but it scribbles on its inputs afterwards
    out = x.T @ dz, dz.sum(axis=0), dz @ W.T
    x *= 0.0
    dz *= 0.0
    return out


def make(use=None, seed=0, **kw):
    X, y = sn.datasets.gauss(n=40, seed=seed)
    model = sn.Sequential([sn.Dense(2, 4, activation="relu"),
                           sn.Dense(4, 3, activation="tanh"),
                           sn.Dense(3, 1, activation="sigmoid")], seed=seed)
    kw.setdefault("learning_rate", 0.5)
    return sn.Trainer(model, X, y, loss="binary_crossentropy", batch_size=8, use=use, **kw)


def weights_after_each_step(trainer, steps=STEPS):
    out = []
    for _ in range(steps):
        trainer.step()
        out.append(trainer.model.get_flat())
    return out


def assert_same_run(a, b):
    for wa, wb in zip(a, b):
        np.testing.assert_array_equal(wa, wb)


# -------------------------------------------------------------------------- construction
def test_accepted_names_and_the_phase_that_runs_each():
    assert ACCEPTED == {"dense_forward": "forward", "relu": "forward", "sigmoid": "forward",
                        "softmax": "forward", "dense_backward": "backward",
                        "relu_derivative": "backward", "sigmoid_derivative": "backward"}


def test_unknown_name_is_refused_with_the_list_of_names():
    with pytest.raises(ValueError) as err:
        make({"relu_backward": my_dense_backward})
    assert "'relu_backward'" in str(err.value)
    assert "dense_forward" in str(err.value) and "dense_backward" in str(err.value)


@pytest.mark.parametrize("value", [None, 3, "dense_backward", [my_dense_backward]])
def test_a_value_that_is_not_a_function_is_refused(value):
    with pytest.raises(TypeError, match=r"use\['dense_backward'\] must be your function itself"):
        make({"dense_backward": value})


@pytest.mark.parametrize("name, fn, theirs, ours", [
    ("dense_backward", lambda x, W: (x, W, x), "(x, W)", "dense_backward(x, W, dz)"),
    ("relu", lambda z, alpha: z, "(z, alpha)", "relu(z)"),
    ("relu_derivative", lambda: 1.0, "()", "relu_derivative(z)"),
    ("dense_forward", lambda x, W, b, *, training: x @ W + b, "(x, W, b, training)",
     "dense_forward(x, W, b)"),
])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_function_with_the_wrong_parameters_is_refused_when_plugged_in(name, fn, theirs, ours,
                                                                         lang):
    sn.set_language(lang)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # refused outright, not used with a warning
            with pytest.raises(TypeError) as err:
                make({name: fn})
    finally:
        sn.set_language("en")
    text = str(err.value)
    assert f"use['{name}']" in text and theirs in text and ours in text
    assert ("give your function these parameters" in text if lang == "en"
            else "매개변수를 맞춰 주세요" in text and "트레이너는" in text)


def test_extra_parameters_with_defaults_are_fine():
    tr = make({"dense_forward": lambda x, W, b, scale=1.0: scale * (x @ W) + b})
    tr.step()
    assert tr.last_forward.student["dense_forward"] <= WRITTEN_DIFFERENTLY


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_activation_no_layer_uses_is_named_when_plugged_in(lang):
    from stepnn.exercises import reference
    sn.set_language(lang)
    try:
        with pytest.warns(UserWarning) as caught:
            make({"softmax": reference("softmax"), "relu": reference("relu")})
    finally:
        sn.set_language("en")
    texts = [str(w.message) for w in caught]
    assert len(texts) == 1 and "softmax" in texts[0] and "relu, sigmoid, tanh" in texts[0]
    assert ("will not run: no layer of this model uses softmax" if lang == "en"
            else "softmax을(를) 쓰는 층이 없습니다") in texts[0]


def test_use_must_be_a_dict():
    with pytest.raises(TypeError, match="use must be a dict"):
        make([my_dense_backward])


def test_a_passing_function_gives_no_warning_and_is_listed():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = make({"dense_backward": my_dense_backward})
    assert tr.use == {"dense_backward": my_dense_backward}
    assert make().use == {}


def test_a_function_that_fails_its_check_is_used_with_a_warning_naming_the_mistake():
    with pytest.warns(UserWarning, match=r"dense_backward does not pass its check \(db is a mean"):
        tr = make({"dense_backward": db_mean})
    assert tr.use == {"dense_backward": db_mean}


# ---------------------------------------------------------------- correct code, exact run
def test_correct_student_code_trains_bit_for_bit_like_the_package():
    ours = weights_after_each_step(make())
    tr = make({"dense_forward": my_dense_forward, "dense_backward": my_dense_backward})
    theirs = weights_after_each_step(tr)
    assert_same_run(ours, theirs)
    assert tr.last_forward.student == {"dense_forward": 0.0}
    assert tr.last_backward.student == {"dense_backward": 0.0}
    assert tr.last_forward.student_flagged == () and tr.last_backward.student_flagged == ()


def test_the_package_alone_records_no_student_code():
    tr = make()
    tr.step()
    assert tr.last_forward.student == {} and tr.last_backward.student == {}
    assert "your" not in repr(tr.last_backward)


def test_code_written_differently_agrees_within_rounding():
    ours = weights_after_each_step(make())
    tr = make({"dense_forward": einsum_dense_forward, "dense_backward": loop_dense_backward})
    theirs = weights_after_each_step(tr)
    for wa, wb in zip(ours, theirs):
        np.testing.assert_allclose(wb, wa, rtol=0, atol=WRITTEN_DIFFERENTLY)
    assert tr.last_backward.student["dense_backward"] <= WRITTEN_DIFFERENTLY
    assert tr.last_backward.student_flagged == ()


def my_relu(z):
    return np.maximum(z, 0.0)


def my_relu_derivative(z):
    return (z > 0) * 1.0


def my_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def my_sigmoid_derivative(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)


def test_correct_activations_and_derivatives_train_like_the_package():
    use = {"relu": my_relu, "relu_derivative": my_relu_derivative, "sigmoid": my_sigmoid,
           "dense_forward": my_dense_forward, "dense_backward": my_dense_backward}
    ours = weights_after_each_step(make(fused=False))
    tr = make(use, fused=False)
    theirs = weights_after_each_step(tr)
    for wa, wb in zip(ours, theirs):  # the sigmoid written another way rounds differently
        np.testing.assert_allclose(wb, wa, rtol=0, atol=WRITTEN_DIFFERENTLY)
    assert set(tr.last_forward.student) == {"relu", "sigmoid", "dense_forward"}
    assert tr.last_forward.student["relu"] == 0.0
    assert tr.last_forward.student["sigmoid"] <= WRITTEN_DIFFERENTLY
    assert set(tr.last_backward.student) == {"relu_derivative", "dense_backward"}
    assert tr.last_backward.student["relu_derivative"] == 0.0
    assert tr.last_forward.student_flagged == () == tr.last_backward.student_flagged


def test_relu_alone_is_bit_exact_and_only_the_relu_layer_runs_it():
    calls = []

    def counting_relu(z):
        calls.append(z.shape)
        return np.maximum(z, 0.0)

    ours = weights_after_each_step(make())
    tr = make({"relu": counting_relu, "relu_derivative": my_relu_derivative})
    calls.clear()  # the check at construction ran it too
    assert_same_run(ours, weights_after_each_step(tr))
    assert calls == [(8, 4)] * STEPS  # layer 1 only: the others are tanh and sigmoid


def test_a_missing_derivative_is_flagged_in_the_backward_record():
    with pytest.warns(UserWarning):
        tr = make({"sigmoid_derivative": np.ones_like}, fused=False)
    tr.forward(), tr.loss()
    rec = tr.backward()
    assert rec.student_flagged == ("sigmoid_derivative",)
    with pytest.raises(StudentCodeError, match="relu raised"), pytest.warns(UserWarning):
        broken = make({"relu": lambda z: z.no_such_method()})
        broken.forward()


def test_student_code_changing_its_inputs_cannot_change_the_run():
    ours = weights_after_each_step(make())
    with pytest.warns(UserWarning, match="changed its input x, dz in place"):
        tr = make({"dense_backward": mutating})
    assert_same_run(ours, weights_after_each_step(tr))
    rec = tr.last_forward
    assert np.any(rec.x != 0) and np.any(tr.last_backward.dz[-1] != 0)


def test_undo_redo_goto_with_student_code_stay_exact():
    tr = make({"dense_forward": my_dense_forward, "dense_backward": my_dense_backward})
    run = weights_after_each_step(tr)
    reference = weights_after_each_step(make())
    assert_same_run(reference, run)
    for k in (3, 0, 7, 1, STEPS):
        tr.goto(k)
        np.testing.assert_array_equal(tr.model.get_flat(), run[k - 1] if k else
                                      make().model.get_flat())
    tr.goto(5)
    tr.forward()
    tr.loss()
    rec = tr.backward()
    assert rec.student == {"dense_backward": 0.0}
    for _ in range(3):
        tr.undo()
    assert tr.next_phase == "forward"
    for _ in range(3):
        tr.redo()
    np.testing.assert_array_equal(tr.last_backward.dW[0], rec.dW[0])
    tr.update()
    np.testing.assert_array_equal(tr.model.get_flat(), run[5])
    assert_same_run(run[6:], weights_after_each_step(tr, STEPS - 6))


def test_undo_replays_a_wrong_function_exactly_too():
    with pytest.warns(UserWarning):
        tr = make({"dense_backward": db_mean})
    run = weights_after_each_step(tr)
    tr.goto(2)
    assert_same_run(run[2:], weights_after_each_step(tr, STEPS - 2))


# ------------------------------------------------------------- wrong code, shown not refused
def test_a_wrong_dense_backward_trains_with_its_numbers_and_the_record_shows_the_difference():
    with pytest.warns(UserWarning):
        tr = make({"dense_backward": db_mean})
    ref = make()
    tr.forward(), tr.loss(), ref.forward(), ref.loss()
    rec, right = tr.backward(), ref.backward()
    # dz of the output layer is the same; its db is the mean (1/8 of the sum) and trains as such
    np.testing.assert_array_equal(rec.dz[-1], right.dz[-1])
    np.testing.assert_allclose(rec.db[-1], right.db[-1] / 8, rtol=1e-15)
    expected = max(float(np.max(np.abs(right.db[i] - right.dz[i].mean(axis=0))))
                   for i in range(3))
    assert rec.student["dense_backward"] == pytest.approx(expected, rel=1e-12)
    assert rec.student["dense_backward"] > TOLERANCE
    assert rec.student_flagged == ("dense_backward",)
    assert "your dense_backward: largest difference" in repr(rec) and "<- differs" in repr(rec)
    tr.update(), ref.update()
    assert not np.array_equal(tr.model.get_flat(), ref.model.get_flat())


def test_a_sign_error_makes_the_loss_rise_where_the_right_code_makes_it_fall():
    def mean_loss(trainer):
        return trainer.evaluate()

    with pytest.warns(UserWarning):
        wrong = make({"dense_backward": uphill}, learning_rate=0.2)
    right = make(learning_rate=0.2)
    start = mean_loss(right)
    assert start == mean_loss(wrong)
    for tr in (wrong, right):
        weights_after_each_step(tr, 20)
    assert mean_loss(right) < start < mean_loss(wrong)
    assert wrong.last_backward.student_flagged == ("dense_backward",)


def test_a_transposed_weight_in_dense_forward_trains_wrong_and_is_flagged():
    X, y = sn.datasets.gauss(n=20, seed=1)

    def transposed(x, W, b):
        return x @ W.T + b

    def model():  # square weights, so that the transposed product still fits
        return sn.Sequential([sn.Dense(2, 2, activation="tanh"), sn.Dense(2, 2, activation="softmax")],
                             seed=0)
    kw = dict(loss="sparse_categorical_crossentropy", batch_size=5)
    with pytest.warns(UserWarning, match="transposed"):
        wrong = sn.Trainer(model(), X, y, use={"dense_forward": transposed}, **kw)
    right = sn.Trainer(model(), X, y, **kw)
    f_wrong, f_right = wrong.forward(), right.forward()
    W1, b1 = right.model.layers[0].W, right.model.layers[0].b
    np.testing.assert_array_equal(f_wrong.z[0], f_right.x @ W1.T + b1)
    assert f_wrong.student["dense_forward"] >= float(np.max(np.abs(f_wrong.z[0] - f_right.z[0]))) > 0
    assert f_wrong.student_flagged == ("dense_forward",)


# ----------------------------------------------------- unusable results: a clear error, no change
def raises(x, W, dz):
    return x.T @ dz, dz.sum(axis=0), dz @ W  # W not transposed: the shapes do not fit


def returns_none(x, W, dz):
    pass


def wrong_shape(x, W, dz):
    return x.T @ dz, dz, dz @ W.T  # db not summed over the batch


def gives_nan(x, W, dz):
    return x.T @ dz * np.nan, dz.sum(axis=0), dz @ W.T


def two_values(x, W, dz):
    return x.T @ dz, dz.sum(axis=0)


def none_inside(x, W, dz):  # float64 would read the None as a NaN never computed
    dW = (x.T @ dz).astype(object)
    dW[0, 0] = None
    return dW, dz.sum(axis=0), dz @ W.T


def gives_complex(x, W, dz):  # float64 would drop the imaginary parts unseen
    return (x.T @ dz) + 0j, dz.sum(axis=0), dz @ W.T


@pytest.mark.parametrize("fn, words", [
    (raises, ["raised ValueError on layer", "in backward()", "line", "Shapes:"]),
    (returns_none, ["returned None on layer", "`return`"]),
    (wrong_shape, ["db has the wrong shape on layer", "expected (1,), received (8, 1)"]),
    (gives_nan, ["dW contains NaN or inf on layer"]),
    (two_values, ["should return 3 values, (dW, db, dx)", "a tuple of 2 values"]),
    (none_inside, ["dW has None in 1 of its", "`return`"]),
    (gives_complex, ["dW holds complex numbers (with j) on layer", "The answer is real numbers"]),
])
def test_an_unusable_dense_backward_stops_the_phase_clearly_and_changes_nothing(fn, words):
    with pytest.warns(UserWarning):
        tr = make({"dense_backward": fn})
    tr.forward()
    tr.loss()
    before = (tr.state.phase, tr.state.global_iteration, tr.model.get_flat(), tr.last_loss,
              tr.state.backward, len(tr.history.iterations), tr._timeline.at)
    with pytest.raises(StudentCodeError) as err:
        tr.backward()
    text = str(err.value)
    assert text.startswith("Your dense_backward") or text.startswith("dW") or \
        text.startswith("db") or text.startswith("dense_backward")
    for w in words:
        assert w in text, text
    assert 'ex.check("dense_backward", dense_backward)' in text
    after = (tr.state.phase, tr.state.global_iteration, tr.model.get_flat(), tr.last_loss,
             tr.state.backward, len(tr.history.iterations), tr._timeline.at)
    assert after[:2] == before[:2] and after[3:] == before[3:]
    np.testing.assert_array_equal(after[2], before[2])
    assert tr.next_phase == "backward"


def test_a_failing_forward_leaves_the_epoch_order_undrawn():
    def broken(x, W, b):
        raise ZeroDivisionError("oops")

    with pytest.warns(UserWarning):
        tr = make({"dense_forward": broken})
    rng = tr.state.rng_state
    with pytest.raises(StudentCodeError, match=r"(?s)Your dense_forward raised ZeroDivisionError on "
                                               r"layer 1 in forward\(\).*oops"):
        tr.forward()
    assert tr.state.order is None and tr.state.rng_state == rng and tr.next_phase == "forward"
    assert tr.last_forward is None


def test_the_error_says_to_make_the_trainer_again_and_a_new_one_runs_the_fixed_function():
    with pytest.warns(UserWarning):
        tr = make({"dense_backward": raises})
    tr.forward(), tr.loss()
    with pytest.raises(StudentCodeError) as err:
        tr.backward()
    text = str(err.value)
    assert 'make the Trainer again with use={"dense_backward": dense_backward}' in text
    assert "run backward() again" not in text
    with pytest.raises(StudentCodeError):  # the trainer keeps the function it was given
        tr.backward()
    fixed = make({"dense_backward": my_dense_backward})
    fixed.step()
    assert fixed.last_backward.student["dense_backward"] <= WRITTEN_DIFFERENTLY


def test_the_error_speaks_korean_when_the_lesson_does():
    with pytest.warns(UserWarning):
        tr = make({"dense_backward": returns_none})
    tr.forward(), tr.loss()
    sn.set_language("ko")
    try:
        with pytest.raises(StudentCodeError, match="backward\\(\\)의 3번째 층") as err:
            tr.backward()
    finally:
        sn.set_language("en")
    assert "트레이너는 backward()를 실행하지 않았습니다" in str(err.value)
    assert 'use={"dense_backward": dense_backward}로 Trainer를 다시 만드세요' in str(err.value)


# ---------------------------------------------------------------------------- StepThrough
def board(use, lang="en"):
    return StepThrough(make(use), live=False, dpi=40, views=("curves",), lang=lang)


def test_stepthrough_marks_the_phase_and_shows_a_zero_difference():
    b = board({"dense_backward": my_dense_backward})
    assert b.buttons["backward"].description.endswith(MARK)
    assert not b.buttons["forward"].description.endswith(MARK)
    assert "stepnn-student" in b.student._dom_classes
    assert "Backward runs your dense_backward (not run yet" in b.student.value
    b.buttons["step"].click()
    assert "Backward ran your dense_backward: largest difference from stepnn&#x27;s own 0" \
        in b.student.value
    assert "stepnn-student-differs" not in b.student.value
    assert b.student in b.widget.children


def test_stepthrough_highlights_a_difference_beyond_the_tolerance():
    with pytest.warns(UserWarning):
        b = board({"dense_backward": db_mean})
    b.run_phase("forward"), b.run_phase("loss"), b.run_phase("backward")
    diff = b.trainer.last_backward.student["dense_backward"]
    assert "stepnn-student-differs" in b.student.value
    assert f"{diff:.3g}" in b.student.value and "differs: check dense_backward" in b.student.value
    b.undo()
    assert "not run yet" in b.student.value


def test_stepthrough_without_student_code_shows_nothing_extra():
    b = board(None)
    b.step()
    assert b.student.value == ""
    assert not any(button.description.endswith(MARK) for button in b.buttons.values())


def test_stepthrough_shows_a_failing_function_as_a_message_not_a_crash():
    with pytest.warns(UserWarning):
        b = board({"dense_backward": returns_none})
    b.buttons["step"].click()
    assert "StudentCodeError" in b.message.value and "returned None" in b.message.value
    assert b.trainer.next_phase == "backward"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_function_no_layer_needs_is_said_to_have_not_run_not_to_be_waiting(lang):
    from stepnn.exercises import reference
    with pytest.warns(UserWarning, match="no layer of this model uses softmax"):
        tr = make({"sigmoid_derivative": reference("sigmoid_derivative"),
                   "softmax": reference("softmax")})  # sigmoid only at the output; no softmax
    tr.step()
    assert tr.last_backward.student == {} and tr.last_forward.student == {}
    text = html.unescape(re.sub("<[^>]+>", "", student_html(tr, lang)))
    if lang == "en":
        assert "not run yet" not in text
        assert "Backward ran without your sigmoid_derivative" in text and "fused=False" in text
        assert "Forward ran without your softmax: no layer of this network uses it" in text
    else:
        assert "아직 실행 전" not in text
        assert "내 sigmoid_derivative 함수는 실행되지 않았습니다" in text and "fused=False" in text
        assert "쓰는 층이 없습니다" in text
    tr.fused = False  # now the chain rule goes through the student's derivative
    tr.step()
    assert "sigmoid_derivative" in tr.last_backward.student


def test_the_marks_follow_the_trainer_the_dashboard_drives():
    b = board({"dense_backward": my_dense_backward})
    assert b.buttons["backward"].description.endswith(MARK)
    b.playground.controls["dataset"].value = "iris"  # 4 features, 3 classes: a new network
    assert b.trainer.model.sizes[0] == 4 and b.trainer.use == {"dense_backward": my_dense_backward}
    assert b.buttons["backward"].description.endswith(MARK)  # the student's code still runs
    b.buttons["step"].click()
    assert b.trainer.last_backward.student["dense_backward"] <= WRITTEN_DIFFERENTLY
    b.replace_trainer(make())  # a trainer of stepnn's own code only (a loaded session, say)
    assert [button.description for button in b.buttons.values()] == \
        [button.description.removesuffix(MARK) for button in b.buttons.values()]
    assert b.buttons["backward"].description == "Backward" and b.student.value == ""


def test_student_line_in_korean():
    tr = make({"dense_forward": my_dense_forward})
    tr.forward()
    text = student_html(tr, "ko")
    assert "내 코드" in text and "순전파: 내 dense_forward 함수로 계산" in text


# ------------------------------------------------------------------------------ lesson 03
def test_lesson_03_solved_ends_with_the_students_dense_backward_driving_stepthrough(tmp_path):
    import importlib.util
    import json
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "lessons" / "build.py"
    spec = importlib.util.spec_from_file_location("lesson_build_plugin", path)
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build
    spec.loader.exec_module(build)
    source = build.LESSONS / "03_backpropagation.py"
    cells = build.solved_edition(tmp_path).transform(build.read_lesson(source))
    probe = ("import json\nyour_trainer.step()\n"
             "print('PLUGGED:', json.dumps({'use': list(your_trainer.use),\n"
             "    'student': your_trainer.last_backward.student,\n"
             "    'same_function': your_trainer.use['dense_backward'] is dense_backward}))")
    nb = build.to_notebook(cells + [build.Cell("code", probe)])
    build.execute(nb, tmp_path)
    # a cell's printing, whole: the kernel may send one print in more than one piece
    texts = ["".join("".join(o.get("text", "")) for o in cell.outputs)
             for cell in nb.cells if cell.cell_type == "code"]
    assert any("Backward runs your dense_backward." in t for t in texts)
    line = [t for t in texts if "PLUGGED:" in t][-1]
    found = json.loads(line.split("PLUGGED:", 1)[1])
    assert found == {"use": ["dense_backward"], "student": {"dense_backward": 0.0},
                     "same_function": True}


def test_a_plugged_function_that_calls_exit_is_feedback_and_changes_nothing():
    def quitting(z):
        raise SystemExit("done")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tr = make(use={"relu": quitting})
    before = tr.model.get_flat()
    with pytest.raises(StudentCodeError, match="SystemExit"):
        tr.step()
    assert tr.global_iteration == 0 and tr.last_forward is None
    np.testing.assert_array_equal(tr.model.get_flat(), before)
    board = StepThrough(tr, live=False)
    board.buttons["step"].click()          # the dashboard shows it, it does not raise
    assert "SystemExit" in board.message.value and tr.global_iteration == 0
