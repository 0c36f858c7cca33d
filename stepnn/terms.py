"""Every word the views and dashboards show, in English and Korean: one table.

- ``TERMS``: the course's terms (the words students already know), ``term(key, lang)``;
- ``PHRASES``: labels, messages and sentence templates, keyed ``"area.name"`` (the area is the
  view or dashboard that shows them), ``phrase(key, lang, **values)`` fills in ``{values}``.

Both tables hold (English, Korean) pairs. ``lang`` None means the language chosen by
``set_language``.
"""
from __future__ import annotations

__all__ = ["TERMS", "PHRASES", "term", "phrase", "LANGS", "set_language", "get_language",
           "resolve_language"]

LANGS = ("en", "ko")

_language = "en"


def set_language(lang: str) -> None:
    """Choose the language ("en" or "ko") of every dashboard, view and message made after this.

    A lesson says it once at the top (``sn.set_language("ko")``); ``lang=`` on a single dashboard
    still overrides it.
    """
    global _language
    _language = resolve_language(lang)


def get_language() -> str:
    """The language chosen by ``set_language`` ("en" until it is called)."""
    return _language


def resolve_language(lang: "str | None" = None) -> str:
    """``lang`` checked, or the language chosen by ``set_language`` when it is None."""
    if lang is None:
        return _language
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS} (English or Korean); received {lang!r}. "
                         f'Use lang="ko" for Korean.')
    return lang

TERMS: dict[str, tuple[str, str]] = {
    "forward": ("Forward", "순전파"),
    "backward": ("Backward", "역전파"),
    "loss": ("Loss", "손실"),
    "loss_function": ("Loss function", "손실함수"),
    "update": ("Update", "가중치 갱신"),
    "step": ("Step", "한 스텝"),
    "epoch": ("Epoch", "에포크"),
    "iteration": ("Iteration", "이터레이션"),
    "batch_size": ("Batch size", "배치 사이즈"),
    "learning_rate": ("Learning rate", "학습률"),
    "optimizer": ("Optimizer", "옵티마이저"),
    "gradient_descent": ("Gradient descent", "경사하강법"),
    "sgd": ("Stochastic GD", "확률적 경사 하강법"),
    "mini_batch": ("Mini-batch GD", "미니 배치 경사 하강법"),
    "full_batch": ("Full-batch GD", "배치 경사 하강법"),
    "weight": ("Weight", "가중치"),
    "bias": ("Bias", "편향"),
    "activation": ("Activation", "활성화 함수"),
    "weighted_sum": ("Weighted sum", "가중합"),
    "input_layer": ("Input layer", "입력층"),
    "hidden_layer": ("Hidden layer", "은닉층"),
    "output_layer": ("Output layer", "출력층"),
    "partial_derivative": ("Partial derivative", "편미분"),
    "chain_rule": ("Chain rule", "연쇄 법칙"),
    "gradient": ("Gradient", "기울기"),
    "play": ("Play", "재생"),
    "pause": ("Pause", "일시정지"),
    "undo": ("Undo", "되돌리기"),
    "redo": ("Redo", "다시 하기"),
    "settings": ("change of setting", "설정 변경"),
    "set_weights": ("new weights", "가중치 설정"),
    "reset": ("Reset", "처음으로"),
    "seed": ("Seed", "시드"),
    "speed": ("Speed", "속도"),
    "samples_seen": ("Samples seen", "처리한 샘플 수"),
    "stop_reason": ("Stopped", "중지 이유"),
    "loss_surface": ("Loss surface", "손실 곡면"),
    "decision_boundary": ("Decision boundary", "결정 경계"),
    "network": ("Network", "신경망"),
    "validation": ("Validation", "검증"),
    "train": ("Train", "학습"),
    "prediction": ("Prediction", "예측값"),
    "target": ("Target", "실제값"),
}


def term(key: str, lang: "str | None" = None) -> str:
    """The word for ``key`` in ``lang`` ("en", "ko", or None for the language chosen by
    ``set_language``); unknown keys come back as they are."""
    lang = resolve_language(lang)
    pair = TERMS.get(key)
    return key if pair is None else pair[LANGS.index(lang)]

PHRASES: dict[str, tuple[str, str]] = {
    # boundary
    'boundary.no_picture': ('{title}:\ndrawn for 2 input features\n(or 1 for regression);\nthis data has {n}.',
        '{title}:\n입력 특성이 2개일 때 그립니다\n(회귀는 1개);\n이 데이터는 {n}개입니다.'),
    'boundary.diverged': ('diverged',
        '발산'),
    # curves
    'curves.batch': ('batch',
        '배치'),
    'curves.epoch': ('epoch',
        '에포크'),
    'curves.val': ('validation',
        '검증'),
    'curves.diverged': ('diverged: loss = {v}\nlower the learning rate',
        '발산: 손실 = {v}\n학습률을 낮추세요'),
    # network
    'network.start': ('Weights W; press Forward',
        '가중치 W: 순전파를 누르세요'),
    'network.forward': ('Forward: a = f(z)',
        '순전파: a = f(z)'),
    'network.loss': ('Loss: prediction vs target',
        '손실: 예측값과 실제값'),
    'network.backward': ('Backward: lines show dL/dW',
        '역전파: 연결선은 dL/dW'),
    'network.update': ('Update: lines show the change of W',
        '가중치 갱신: 연결선은 W의 변화량'),
    'network.diverged': ('diverged: the loss is not finite',
        '발산: 손실이 유한하지 않습니다'),
    'network.sample_caption': ('sample #: prediction / target',
        '샘플 #: 예측값 / 실제값'),
    # surface
    'surface.weights_title': ('{surface}: {a} × {b}\nother weights as of iteration {it} (refreshed every {k})',
        '{surface}: {a} × {b}\n나머지 가중치: 이터레이션 {it} 기준 ({k} 이터레이션마다 갱신)'),
    'surface.pca_title': ('{surface} on the PCA plane of the path\nPC1 {r1:.0%} + PC2 {r2:.0%} of its variance',
        '경로의 PCA 평면 위 {surface}\nPC1 {r1:.0%} + PC2 {r2:.0%} (설명된 분산)'),
    'surface.race_weights_title': ('{surface}: {a} × {b}, other weights at the start',
        '{surface}: {a} × {b}, 나머지 가중치는 시작점 값'),
    'surface.race_pca_title': ('{surface} on the PCA plane of all runs: PC1 {r1:.0%} + PC2 {r2:.0%}',
        '모든 실행의 PCA 평면 위 {surface}: PC1 {r1:.0%} + PC2 {r2:.0%}'),
    'surface.pca_wait': ('PCA plane: run at least {n} iterations',
        'PCA 평면: 이터레이션을 {n}번 이상 실행하세요'),
    'surface.diverged': ('diverged: the weights or the loss became inf/NaN\nlower the learning rate, then Undo or Reset',
        '발산: 가중치나 손실이 inf/NaN이 되었습니다\n학습률을 낮추고 되돌리기 또는 처음으로'),
    'surface.left': ('the path left this window\nredrawn around it at iteration {n}',
        '경로가 그림 밖으로 나갔습니다\n이터레이션 {n}에서 다시 그립니다'),
    'surface.undone': ('unfinished iteration undone; weights set',
        '진행 중이던 이터레이션을 되돌리고 가중치를 옮겼습니다'),
    'surface.not_finite': ('the weights are inf/NaN: Reset first',
        '가중치가 inf/NaN입니다: 먼저 처음으로'),
    'surface.true': ('true loss',
        '실제 손실'),
    'surface.on_plane': ('at the projection',
        '투영된 점의 손실'),
    'surface.iteration': ('iteration',
        '이터레이션'),
    # graph
    'graph.parameter': ('w',
        'w'),
    'graph.value': ('value',
        '값'),
    'graph.backprop': ('backprop',
        '역전파'),
    'graph.finite_difference': ('finite diff.',
        '수치 미분'),
    'graph.agree': ('agree',
        '일치'),
    'graph.check_title': ('dL/dw by backprop, checked by finite differences',
        '역전파로 구한 dL/dw와 수치 미분 비교'),
    'graph.start_line': ('dL/d{node} = {v:.4g}   (the loss changes one for one with itself)',
        'dL/d{node} = {v:.4g}   (손실은 자기 자신과 똑같이 변합니다)'),
    'graph.shortcut': ('(sigmoid + binary cross-entropy together: a2[0] - y = {v:.4g})',
        '(시그모이드와 이진 교차 엔트로피를 함께 미분하면: a2[0] - y = {v:.4g})'),
    'graph.check_ok': ('finite diff. {v:.4g} ✓',
        '수치 미분 {v:.4g} ✓'),
    'graph.check_bad': ('finite diff. {v:.4g} ✗ DISAGREE',
        '수치 미분 {v:.4g} ✗ 불일치'),
    'graph.start': ('Click Forward: the values fill in node by node.',
        '순전파를 누르면 노드마다 값이 채워집니다.'),
    'graph.forward_step': ('Forward: node {done} of {total}',
        '순전파: 노드 {done} / {total}'),
    'graph.backward_step': ('Backward (chain rule): node {done} of {total}',
        '역전파 (연쇄 법칙): 노드 {done} / {total}'),
    'graph.updated': ('Update: w ← w - {lr:g} × dL/dw. Loss before: {loss:.4g}. Click Forward for the new loss.',
        '가중치 갱신: w ← w - {lr:g} × dL/dw. 갱신 전 손실: {loss:.4g}. 순전파로 새 손실을 보세요.'),
    # loss_views
    'loss_views.true_class_probability': ('q: probability of the true class',
        'q: 정답 클래스의 확률'),
    'loss_views.clip_title': ('Clipping near p = 0',
        'p = 0 근처의 클리핑'),
    'loss_views.unclipped': ('-log p',
        '-log p'),
    'loss_views.clipped': ('clipped',
        '클리핑'),
    'loss_views.flat': ('flat:\ngradient 0',
        '평평함:\n기울기 0'),
    'loss_views.max': ('max {v:.3f}',
        '최댓값 {v:.3f}'),
    'loss_views.correct_p': ('p of the correct answer',
        '정답의 확률 p'),
    'loss_views.slope': ('slope {name} = {v}',
        '기울기 {name} = {v}'),
    'loss_views.clipped_here': ('clipped: gradient 0',
        '클리핑됨: 기울기 0'),
    # stepthrough
    'stepthrough.max_epochs': ('Max epochs (0 = off)',
        '최대 에포크 (0 = 끔)'),
    'stepthrough.target_loss': ('Target loss (0 = off)',
        '목표 손실 (0 = 끔)'),
    'stepthrough.patience': ('Patience (0 = off)',
        'patience(인내) (0 = 끔)'),
    'stepthrough.no_validation': ('Patience watches the validation loss: create the Trainer with validation_split=0.2',
        '검증 손실을 봅니다: Trainer를 validation_split=0.2로 만드세요'),
    'stepthrough.sample': ('Sample in batch',
        '배치 내 샘플'),
    'stepthrough.moment': ('History: after iteration',
        '기록: 이터레이션 후'),
    'stepthrough.moment_tip': ('Go to any moment of the run (trainer.goto); Step goes on from there',
        '학습 기록의 어느 순간으로든 이동 (trainer.goto); 한 스텝은 거기서 이어집니다'),
    'stepthrough.speed': ('Iterations/s',
        '초당 이터레이션'),
    'stepthrough.run_forward': ('Run forward propagation: z = xW + b and a = f(z), layer by layer',
        '순전파 실행: 층마다 z = xW + b, a = f(z)'),
    'stepthrough.run_loss': ('Compare the prediction with the target: the loss',
        '예측값과 실제값 비교: 손실'),
    'stepthrough.run_backward': ('Backpropagation: dL/dW for every weight by the chain rule',
        '역전파: 연쇄 법칙으로 모든 가중치의 dL/dW'),
    'stepthrough.run_update': ('Move every weight against its gradient: W <- W - learning rate x dL/dW',
        '가중치 갱신: W <- W - 학습률 x dL/dW'),
    'stepthrough.step_tip': ('One iteration: the phases still due, in order',
        '이터레이션 한 번: 남은 단계를 차례로'),
    'stepthrough.epoch_tip': ('Finish the current epoch (stops early on a stopping criterion)',
        '현재 에포크 끝까지 (중지 기준에서 멈춤)'),
    'stepthrough.undo_tip': ('Step back one phase or one change of setting',
        '한 단계 또는 설정 변경 하나 되돌리기'),
    'stepthrough.nothing_to_undo': ('Nothing to undo: this is the start.',
        '되돌릴 것이 없습니다: 처음 상태입니다.'),
    'stepthrough.reset_tip': ('Back to the first weights, epoch 0 (the settings stay)',
        '처음 가중치, 에포크 0으로 (설정은 유지)'),
    'stepthrough.undone': ('Undone: {what}.',
        '되돌림: {what}.'),
    'stepthrough.pending': ('Takes effect at the next iteration (this one is at {phase}).',
        '다음 이터레이션부터 적용됩니다 (지금은 {phase} 단계).'),
    'stepthrough.epoch_done': ('Epoch {e} finished: mean loss {loss:.4f}.',
        '에포크 {e} 완료: 평균 손실 {loss:.4f}.'),
    'stepthrough.stopped': ('Stopped: {code}: {message}.',
        '중지: {code}: {message}.'),
    'stepthrough.paused': ('paused by hand',
        '직접 일시정지'),
    'stepthrough.reset_done': ('Back to the start (seed {seed}).',
        '처음으로 돌아갔습니다 (시드 {seed}).'),
    'stepthrough.diverged': ('The loss is {value}: with learning rate {lr:g} the steps overshoot and the weights blow up. Lower the learning rate, then press Undo to step back or Reset to start again.',
        '손실이 {value}입니다: 학습률 {lr:g}에서는 한 걸음이 너무 커서 가중치가 발산합니다. 학습률을 낮추고 되돌리기나 처음으로를 누르세요.'),
    # status
    'status.global_iteration': ('global iteration',
        '전체 이터레이션'),
    'status.samples_seen': ('samples seen',
        '처리한 샘플 수'),
    'status.next': ('next',
        '다음'),
    'status.stopped': ('stopped',
        '중지'),
    'status.pending': ('from the next iteration',
        '다음 이터레이션부터'),
    # descent
    'descent.preset': ('Presets',
        '프리셋'),
    'descent.start': ('click on the surface to set the start',
        '곡면을 클릭해 시작점을 정하세요'),
    'descent.too small': ('too small',
        '너무 작음'),
    'descent.good': ('good',
        '적당함'),
    'descent.too large': ('too large',
        '너무 큼'),
    'descent.diverging': ('diverging',
        '발산'),
    'descent.explain': ('Curvature: the Hessian of the loss has largest eigenvalue λ_max = {L:.4g}. A step multiplies the distance to the minimum along that direction by (1 - lr λ_max). lr &lt; 1/λ_max = {a:.4g}: straight downhill; 1/λ_max &lt; lr &lt; 2/λ_max = {b:.4g}: zig-zags but converges; lr &gt; 2/λ_max: each step overshoots more, the path diverges. Presets: too small {p0:.3g}, good {p1:.3g}, too large {p2:.3g}, diverging {p3:.3g}.',
        '곡률: 손실의 헤세 행렬의 가장 큰 고윳값은 λ_max = {L:.4g}입니다. 한 스텝은 그 방향으로 최솟점까지의 거리에 (1 - 학습률 λ_max)을 곱합니다. 학습률 &lt; 1/λ_max = {a:.4g}: 곧장 내려감; 1/λ_max &lt; 학습률 &lt; 2/λ_max = {b:.4g}: 지그재그지만 수렴; 학습률 &gt; 2/λ_max: 매번 더 크게 넘어가 발산합니다. 프리셋: 너무 작음 {p0:.3g}, 적당함 {p1:.3g}, 너무 큼 {p2:.3g}, 발산 {p3:.3g}.'),
    'descent.readout': ('step {k} · loss {loss} · ({a}, {b}) = ({x}, {y}) · gradient ({gx}, {gy})',
        '스텝 {k} · 손실 {loss} · ({a}, {b}) = ({x}, {y}) · 기울기 ({gx}, {gy})'),
    'descent.diverged': ('diverged: the path left the plot and the loss grew from {l0:.4g} to {l1:.4g}. The learning rate {lr:.4g} is above 2/λ_max = {b:.4g}; pick a smaller one and Reset.',
        '발산: 경로가 그림 밖으로 나갔고 손실이 {l0:.4g}에서 {l1:.4g}로 커졌습니다. 학습률 {lr:.4g}이(가) 2/λ_max = {b:.4g}보다 큽니다; 더 작은 값을 고르고 처음으로를 누르세요.'),
    'descent.blown_up': ('diverged: the loss became {l1}; the steps overshoot. Pick a smaller learning rate and Reset.',
        '발산: 손실이 {l1}이(가) 되었습니다; 한 걸음이 너무 큽니다. 학습률을 낮추고 처음으로를 누르세요.'),
    'descent.converged': ('converged after {k} steps: the gradient is (almost) zero at the minimum.',
        '{k} 스텝 만에 수렴: 최솟점에서 기울기가 (거의) 0입니다.'),
    'descent.arrow': ('−gradient',
        '−기울기'),
    'descent.next': ('next step',
        '다음 스텝'),
    'descent.loss_axis': ('loss per step',
        '스텝별 손실'),
    'descent.minimum': ('minimum',
        '최솟점'),
    'descent.restart': ('Start set to ({x:.4g}, {y:.4g}).',
        '시작점: ({x:.4g}, {y:.4g}).'),
    # race
    'race.preset': ('Runs',
        '실행'),
    'race.plane': ('Plane',
        '평면'),
    'race.pca': ('PCA of all paths',
        '모든 경로의 PCA'),
    'race.weights': ('two weights',
        '가중치 두 개'),
    'race.batch': ('batch sizes',
        '배치 사이즈'),
    'race.optimizers': ('optimizers',
        '옵티마이저'),
    'race.curves': ("loss on all data per epoch (thin: each batch's loss)",
        '에포크마다 전체 데이터의 손실 (가는 선: 배치마다의 손실)'),
    'race.caption': ('An epoch is one pass over all {n} samples; an iteration is one forward, loss, backward and update on one batch; # of data = batch size × iterations. Step runs one epoch of every run, and the loss chart counts epochs, so at the same x every run has seen the same samples, however many iterations that took:',
        '에포크는 데이터 {n}개 전체를 한 번 보는 것이고, 이터레이션은 배치 하나로 순전파, 손실, 역전파, 가중치 갱신을 한 번 하는 것입니다. 데이터 수 = 배치 사이즈 × 이터레이션. 한 스텝은 모든 실행을 한 에포크씩 진행하고 손실 그래프의 가로축은 에포크이므로, 같은 x에서는 이터레이션 수와 상관없이 모든 실행이 같은 샘플을 본 것입니다:'),
    'race.stepped': ('Epoch {e} done.',
        '에포크 {e} 완료.'),
    'race.reset': ('Every run is back at the common start.',
        '모든 실행이 같은 시작점으로 돌아갔습니다.'),
    'race.diverged': ('{name} diverged (loss inf/NaN): it stops here; the others go on.',
        '{name}: 발산 (손실 inf/NaN): 여기서 멈추고 나머지는 계속합니다.'),
    'race.limit': ('Stopped at {e} epochs (max_epochs).',
        '{e} 에포크에서 멈춤 (max_epochs).'),
    'race.run.batch size 1 (SGD)': ('batch size 1 (SGD)',
        '배치 사이즈 1 (확률적 경사 하강법)'),
    'race.run.batch size 16 (mini-batch)': ('batch size 16 (mini-batch)',
        '배치 사이즈 16 (미니 배치)'),
    'race.run.batch size N (full batch)': ('batch size N (full batch)',
        '배치 사이즈 N (배치 경사 하강법)'),
    # chain_rule
    'chain_rule.forward': ('Forward (1 node)',
        '순전파 (노드 1개)'),
    'chain_rule.forward_all': ('Forward all',
        '순전파 전체'),
    'chain_rule.backward': ('Backward (1 node)',
        '역전파 (노드 1개)'),
    'chain_rule.backward_all': ('Backward all',
        '역전파 전체'),
    'chain_rule.update': ('Update',
        '가중치 갱신'),
    'chain_rule.reset': ('Reset',
        '처음으로'),
    'chain_rule.new_example': ('New example',
        '새 예제'),
    'chain_rule.forward_done': ('Forward pass complete: L = {loss:.4g}{before}. Click Backward.',
        '순전파 완료: L = {loss:.4g}{before}. 역전파를 누르세요.'),
    'chain_rule.before': (' (before the update: {loss:.4g})',
        ' (갱신 전: {loss:.4g})'),
    'chain_rule.backward_done': ('Backward pass complete: every weight has its gradient, checked by finite differences. Click Update.',
        '역전파 완료: 모든 가중치의 기울기를 수치 미분으로 확인했습니다. 가중치 갱신을 누르세요.'),
    'chain_rule.updated': ('Updated 9 parameters: w ← w - {lr:g} × dL/dw. Click Forward to see the new loss.',
        '매개변수 9개 갱신: w ← w - {lr:g} × dL/dw. 순전파로 새 손실을 확인하세요.'),
    # controls
    'controls.non_finite': ('{what} must be a finite number; received {new}. It stays at {old}: move the slider, or set a number such as {old}.',
        '{what}에는 유한한 수가 필요합니다. 받은 값: {new}. {old} 그대로 둡니다: 슬라이더를 움직이거나 {old} 같은 수를 넣으세요.'),
    # loss_explorer
    'loss_explorer.no_log': ('MSE and MAE take no logarithm: nothing is clipped.',
        'MSE와 MAE에는 로그가 없어 클리핑도 없습니다.'),
    'loss_explorer.clip_note': ('Where p is clipped (below 1e-7 or above 1 - 1e-7) the loss is flat, so its gradient is 0: from there the network gets no push at all. Keras clips only when it is given probabilities; a model trained from logits is never clipped.',
        'p가 클리핑되는 곳(1e-7 미만 또는 1 - 1e-7 초과)에서는 손실이 평평해서 기울기가 0입니다: 거기서는 신경망이 전혀 고쳐지지 않습니다. Keras는 확률을 받을 때만 클리핑하고, 로짓으로 학습하는 모델은 클리핑하지 않습니다.'),
    'loss_explorer.task': ('Fits',
        '알맞은 문제'),
    'loss_explorer.scores': ('scores s (normalised: p = s / sum(s))',
        '점수 s (정규화: p = s / sum(s))'),
    'loss_explorer.true_class': ('y: true class',
        'y: 정답 클래스'),
    'loss_explorer.one_hot': ('y (one-hot)',
        'y (원-핫)'),
    'loss_explorer.label': ('y (0/1, or soft)',
        'y (0/1 또는 그 사이)'),
    'loss_explorer.same': ('CEE = {cee:.4f} and categorical_crossentropy = {cce:.4f}: the same, because p sums to 1.',
        'CEE = {cee:.4f}, categorical_crossentropy = {cce:.4f}: p의 합이 1이므로 같습니다.'),
    'loss_explorer.raw': ('On the raw scores s (sum {total:.3g}): CEE = {cee:.4f}, categorical_crossentropy = {cce:.4f} (Keras divides by the sum first; CEE does not).',
        '정규화 전 점수 s (합 {total:.3g})에서는: CEE = {cee:.4f}, categorical_crossentropy = {cce:.4f} (Keras는 먼저 합으로 나누고, CEE는 나누지 않습니다).'),
    'loss_explorer.zero_scores': ('all {k} scores are 0: at least one must be positive to turn them into probabilities p = s / sum(s). Raise one of the sliders.',
        '점수 {k}개가 모두 0입니다: p = s / sum(s)로 확률을 만들려면 하나 이상이 양수여야 합니다. 슬라이더 하나를 올리세요.'),
    'loss_explorer.task.mean_squared_error': ('regression: mean of (y_pred - y)^2',
        '회귀: (예측값 - 실제값)^2 의 평균'),
    'loss_explorer.task.mean_absolute_error': ('regression, robust to outliers: mean of |y_pred - y|',
        '회귀, 이상치에 덜 민감: |예측값 - 실제값| 의 평균'),
    'loss_explorer.task.binary_crossentropy': ('binary classification, sigmoid output, labels 0/1',
        '이진 분류: 시그모이드 출력, 레이블 0/1'),
    'loss_explorer.task.categorical_crossentropy': ('multi-class classification, softmax output, one-hot labels',
        '다중 분류: 소프트맥스 출력, 원-핫 레이블'),
    'loss_explorer.task.sparse_categorical_crossentropy': ('multi-class classification, softmax output, integer labels',
        '다중 분류: 소프트맥스 출력, 정수 레이블'),
    'loss_explorer.task.cee': ('cross-entropy error -sum(y log p): categorical cross-entropy by its textbook name',
        '교차 엔트로피 오차 -sum(y log p): categorical_crossentropy의 교과서 이름'),
    # status line (controller)
    'status.phase_hint': ('Next is {phase}: the loop runs {names}',
        '다음은 {phase}: 학습은 {names} 순서로 진행합니다'),
    'status.data': ('# of data = batch size x iterations: {n} = {bs} x {full}',
        '데이터 수 = 배치 사이즈 x 이터레이션: {n} = {bs} x {full}'),
    'status.data_dropped': (' + {rest} ({rest} left over, dropped; {its} iterations)',
        ' + {rest} (남는 {rest}개는 버림, 이터레이션 {its}번)'),
    'status.data_last': (' + {rest} ({its} iterations, the last batch has {rest})',
        ' + {rest} (이터레이션 {its}번, 마지막 배치는 {rest}개)'),
}


def phrase(key: str, lang: "str | None" = None, **values) -> str:
    """The phrase ``key`` (see ``PHRASES``) in ``lang`` ("en", "ko", or None for the language
    chosen by ``set_language``), with ``{name}`` fields filled from ``values``."""
    pair = PHRASES.get(key)
    if pair is None:
        raise KeyError(f"no phrase {key!r} in stepnn.terms.PHRASES; add it there with its English "
                       f"and Korean forms.")
    text = pair[LANGS.index(resolve_language(lang))]
    return text.format(**values) if values else text
