"""The messages every exercise shares, in English and Korean, and ``say``, which picks one.

Each exercise module keeps its own table (its signature, hint, mistakes and case labels); a key
is looked up there first, then here. Messages are sentences with ``{fields}``.
"""
from __future__ import annotations

from ..terms import LANGS

MESSAGES = {
    "passed": ("{name} works: it gives the same results as the package's own {name} on all "
               "{n} cases ({cases}).",
               "{name} 통과: {n}가지 경우({cases}) 모두 패키지의 {name} 함수와 같은 결과를 냅니다."),
    "not_written": ("{name} is not written yet. Replace the `...` with your code ({signature}) "
                    "and run this check again.",
                    "{name} 함수는 아직 작성되지 않았습니다. `...` 자리에 코드를 써 넣고({signature}) "
                    "이 확인을 다시 실행해 보세요."),
    "not_callable": ("check needs your function itself, e.g. check(\"{name}\", my_{name}); "
                     "received {received}.",
                     "check에는 함수 자체를 넘겨야 합니다. 예: check(\"{name}\", my_{name}). "
                     "받은 값: {received}."),
    "wrong_parameters": ("Your function takes ({theirs}), but it is called as {name}({ours}). "
                         "Give it these parameters.",
                         "작성한 함수의 매개변수는 ({theirs})인데, 이 연습은 {name}({ours})로 "
                         "호출합니다. 매개변수를 맞춰 주세요."),
    "raised": ("Your {name} raised {error} on {case}.",
               "{case}에서 작성한 {name} 함수가 {error} 오류를 냈습니다."),
    "none_some": ("Your {name} returned None on {case}: does every path end with a `return`?",
                  "{case}에서 {name} 함수가 None을 반환했습니다. 모든 경로가 `return`으로 끝나나요?"),
    "none_part": ("{output} is None or `...` on {case}: is it still to be written?",
                  "{case}에서 {output} 값이 None 또는 `...`입니다. 아직 작성하지 않았나요?"),
    "not_a_tuple": ("{name} should return {n} values, ({outputs}); received {received}.",
                    "{name} 함수는 값 {n}개 ({outputs})를 반환해야 합니다. 받은 값: {received}."),
    "not_numbers": ("{output} should be numbers (an array or a float); received {received}.",
                    "{output} 값은 숫자(배열 또는 float)여야 합니다. 받은 값: {received}."),
    "none_inside": ("{output} has None in {count} of its {size} entries on {case}: a helper or "
                    "branch without a `return` (an `if` with no `else`?) gives None there.",
                    "{case}에서 {output}의 원소 {size}개 중 {count}개가 None입니다. `return`이 없는 "
                    "경로(`else` 없는 `if`?)가 있는 함수나 분기가 그 자리에 None을 남깁니다."),
    "complex": ("{output} holds complex numbers (with j) on {case}: a square root, log or power of a "
                "negative number? The answer is real numbers.",
                "{case}에서 {output}에 복소수(j가 붙은 수)가 있습니다. 음수의 제곱근, 로그, 거듭제곱을 "
                "계산하지 않았나요? 정답은 실수입니다."),
    "shape": ("{output} has the wrong shape on {case}: expected {expected}, received {received}.",
              "{case}에서 {output}의 모양(shape)이 다릅니다: 기대 {expected}, 받은 값 {received}."),
    "shape_transposed": ("It looks transposed: check the order of the matrix product.",
                         "전치된 것 같습니다. 행렬 곱의 순서를 확인해 보세요."),
    "one_number": ("{output} should be one number (a float); received an array of shape "
                   "{received} on {case}.",
                   "{output} 값은 숫자 하나(float)여야 하는데, {case}에서 모양이 {received}인 배열을 "
                   "받았습니다."),
    "not_finite": ("{output} contains NaN or inf on {case}, where the answer is finite.",
                   "{case}에서 {output}에 NaN 또는 inf가 있습니다. 정답은 유한한 값입니다."),
    "values": ("{output} is wrong on {case}.", "{case}에서 {output}의 값이 다릅니다."),
    "detail": ("Expected {expected}, received {received}; largest difference {diff}.",
               "기대한 값 {expected}, 받은 값 {received}; 가장 큰 차이 {diff}."),
    "not_int": ("{output} should be a whole number (int); received {received} ({type}). "
                "Return an int, e.g. int(...).",
                "{output} 값은 정수(int)여야 합니다. 받은 값: {received} ({type}). "
                "int(...)로 감싸서 반환하세요."),
    "low_precision": ("{output} comes back as {dtype}, which keeps about {digits} significant digits: "
                      "the package computes in float64, numpy's default, and the trainer would show "
                      "the difference. Leave out the conversion (astype(np.{dtype}), "
                      "dtype=np.{dtype}).",
                      "{output} 값이 {dtype}로 반환되어 유효숫자가 약 {digits}자리뿐입니다. 패키지는 "
                      "numpy의 기본값인 float64로 계산하므로 트레이너에서 차이가 보입니다. "
                      "변환(astype(np.{dtype}), dtype=np.{dtype})을 빼세요."),
    "mutated": ("Your function changed its input {args} in place, so the caller's arrays change "
                "too. Build a new array instead (e.g. w - learning_rate * grad, np.maximum(z, 0)) "
                "or work on a copy (z = z.copy()).",
                "작성한 함수가 입력 배열 {args}의 값을 제자리에서(in place) 바꿨습니다. 호출한 쪽의 배열도 "
                "함께 바뀝니다. 새 배열을 만들거나(예: w - learning_rate * grad, "
                "np.maximum(z, 0)) 복사본(z = z.copy())으로 작업하세요."),
    "where": ("case {i} of {n} ({label}; {inputs})", "{n}가지 중 {i}번째 경우({label}; {inputs})"),
    "printed_more": ("... ({n} lines in all)", "... (모두 {n}줄)"),
    "also": ("Also: {message}", "그리고: {message}"),
    # case labels shared by several exercises
    "case_small": ("a small batch", "작은 배치"),
    "case_batch_of_one": ("a batch of one", "샘플 하나짜리 배치"),
    "case_non_square": ("a non-square W", "정사각형이 아닌 W"),
    "case_square": ("a square W", "정사각형 W"),
    "case_large": ("large values", "아주 큰 값"),
    "case_vector": ("a 1-D vector", "1차원 벡터"),
    "case_zero_one": ("probabilities of exactly 0 and 1", "정확히 0과 1인 확률"),
    "case_wide": ("more units than inputs", "입력보다 유닛이 많은 층"),
    # notes shared by several exercises
    "elementwise_note": ("numpy works on a whole array element by element (np.maximum, np.where, "
                         "np.exp); Python's max, math.exp and `if` take one number at a time.",
                         "numpy 함수(np.maximum, np.where, np.exp)는 배열 전체를 원소마다 "
                         "계산합니다. 파이썬의 max, math.exp, `if`는 숫자 하나씩만 다룹니다."),
    "large_note": ("This case has large values (about ±1000): if you use np.exp, e^1000 overflows "
                   "to inf, and inf / inf is NaN.",
                   "이 경우는 값이 아주 큽니다(약 ±1000). np.exp를 쓴다면 e^1000은 inf로 "
                   "오버플로하고, inf / inf는 NaN입니다."),
}


class Description:
    """A few words about a value a student's function returned, in either language (``say``
    renders it in the message's language; ``str`` gives the English words)."""

    def __init__(self, kind: str, size=None, words: "str | None" = None):
        self.kind, self.size, self.words = kind, size, words

    def text(self, lang: str = "en") -> str:
        if self.kind == "array":
            return (f"an array of shape {self.size}" if lang == "en"
                    else f"모양이 {self.size}인 배열")
        if self.kind in ("list", "tuple"):
            return (f"a {self.kind} of {self.size} values" if lang == "en"
                    else f"값이 {self.size}개인 {self.kind}")
        return self.words

    def __str__(self) -> str:
        return self.text("en")


def say(key: str, lang: str, tables: tuple, **fields) -> str:
    """The message ``key`` in ``lang``, looked up in ``tables`` then in the shared table."""
    fields = {name: value.text(lang) if isinstance(value, Description) else value
              for name, value in fields.items()}
    for table in tables + (MESSAGES,):
        if table and key in table:
            return table[key][LANGS.index(lang)].format(**fields)
    raise KeyError(key)
