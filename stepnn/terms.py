"""The course's words in English and Korean (the terms students already know)."""
from __future__ import annotations

__all__ = ["TERMS", "term", "LANGS", "set_language", "get_language", "resolve_language"]

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
    "reset": ("Reset", "처음으로"),
    "seed": ("Seed", "시드"),
    "speed": ("Speed", "속도"),
    "samples_seen": ("Samples seen", "본 샘플 수"),
    "stop_reason": ("Stopped", "중지 이유"),
    "loss_surface": ("Loss surface", "손실 곡면"),
    "decision_boundary": ("Decision boundary", "결정 경계"),
    "network": ("Network", "신경망"),
    "validation": ("Validation", "검증"),
    "train": ("Train", "학습"),
    "prediction": ("Prediction", "예측값"),
    "target": ("Target", "실제값"),
    "lesson": ("Lesson", "강의"),
    "title": ("Title", "제목"),
    "open": ("open", "열기"),
    "language": ("English", "한국어"),
}


def term(key: str, lang: "str | None" = None) -> str:
    """The word for ``key`` in ``lang`` ("en", "ko", or None for the language chosen by
    ``set_language``); unknown keys come back as they are."""
    lang = resolve_language(lang)
    pair = TERMS.get(key)
    return key if pair is None else pair[LANGS.index(lang)]
