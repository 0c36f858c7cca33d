"""The Korean edition: every lesson in Korean, with the same code as the English one, and Hangul
drawn in every figure.

notebooks/ko/NN_name.ipynb is built by ``python lessons/build.py`` from the English source
lessons/NN_name.py and its Korean overlay lessons/ko/NN_name.py (Markdown cells and comment
translations). These tests keep the two editions together: a lesson added, a cell added or a
comment changed on one side only is caught here, as is a Korean notebook that is stale, a Korean
lesson whose prose is mostly English, and a figure that would show Hangul as empty boxes.
"""
from __future__ import annotations

import importlib.util
import io
import json
import logging
import re
import sys
import tokenize
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.text import Text

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
KOREAN = NOTEBOOKS / "ko"


def load_build():
    """lessons/build.py as a module (lessons/ is not a package)."""
    if "lesson_build" in sys.modules:
        return sys.modules["lesson_build"]
    spec = importlib.util.spec_from_file_location("lesson_build", REPO_ROOT / "lessons" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["lesson_build"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


build = load_build()
SOURCES = build.lesson_sources()
every_lesson = pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])

# Share of Hangul among the letters of a Korean lesson's prose. What is not prose is left out
# first: code (fenced and `inline`), formulas ($...$ and $$...$$), HTML tags, and text in
# parentheses, where the course puts the English term beside the Korean one on first use
# ("순전파 (forward propagation)"). What remains is what a student reads as sentences; written
# in Korean it is Hangul apart from a few names (numpy, stepnn, Keras, dashboard names), so
# the bar is set well above the 60% at which a lesson would still read as half English.
MIN_HANGUL_SHARE = 0.85
# Every Markdown cell of a Korean lesson holds Hangul, unless it is this short once the
# non-prose parts are removed (e.g. a cell that is only a formula).
MIN_LETTERS_FOR_A_SENTENCE = 12

GLYPH_WARNINGS = ("missing from font", "Glyph ", "findfont:")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def korean_notebook(source: Path) -> dict:
    path = KOREAN / f"{source.stem}.ipynb"
    assert path.exists(), f"notebooks/ko/{path.name} is missing: run `python lessons/build.py {source.stem[:2]}`"
    return load(path)


def cell_text(cell: dict) -> str:
    return "".join(cell["source"])


def code_without_comments(code: str) -> str:
    """``code`` with every comment removed (found by Python's tokenizer) and trailing spaces cut,
    and the language of the setup line made English: what must be equal in both editions."""
    lines = code.split("\n")
    for token in reversed(list(tokenize.generate_tokens(io.StringIO(code).readline))):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            lines[row - 1] = lines[row - 1][:col]
    text = "\n".join(line.rstrip() for line in lines)
    return text.replace(build.LANGUAGE_LINE.format("ko"), build.LANGUAGE_LINE.format("en"))


def prose(markdown: str) -> str:
    """The sentences of a Markdown cell: without code, formulas, HTML tags and parentheses."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    while True:  # innermost parentheses first, so nested ones go too
        shorter = re.sub(r"\([^()]*\)", " ", text)
        if shorter == text:
            return text
        text = shorter


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f"


def hangul_share(text: str) -> tuple[int, int]:
    """(Hangul letters, all letters) of ``text``."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(map(is_hangul, letters)), len(letters)


# ----------------------------------------------------------------------------- the overlays
def test_every_lesson_has_a_korean_overlay_and_nothing_else():
    overlays = sorted(p.name for p in build.OVERLAYS["ko"].glob("*.py"))
    assert overlays == [p.name for p in SOURCES], "lessons/ko/ holds one overlay per lesson, same name"


def test_korean_notebooks_are_the_lessons():
    built = sorted(p.stem for p in KOREAN.glob("*.ipynb"))
    assert built == [p.stem for p in SOURCES], "notebooks/ko/ and lessons/ must hold the same lessons"


@every_lesson
def test_overlay_fits_its_source(source: Path):
    overlay = build.read_overlay(build.overlay_path(source, "ko"))
    cells = build.student_edition("ko").cells(source)  # raises on any mismatch
    english = build.read_lesson(source)
    assert [c.kind for c in cells] == [c.kind for c in english]
    assert [c.source for c in cells if c.kind == "markdown"] == overlay.markdown


@every_lesson
def test_english_sources_set_their_language_once_in_the_first_code_cell(source: Path):
    code = [c for c in build.read_lesson(source) if c.kind == "code"]
    line = build.LANGUAGE_LINE.format("en")
    assert line in code[0].source.split("\n"), f"{source.name}: the first code cell lacks {line}"
    assert sum(c.source.count("set_language(") for c in code) == 1


@every_lesson
def test_korean_notebook_cells_equal_the_build(source: Path):
    """notebooks/ko/ is what the English source plus its overlay make (not edited by hand)."""
    notebook = korean_notebook(source)
    built = build.student_edition("ko").cells(source)
    stored = [(c["cell_type"], cell_text(c)) for c in notebook["cells"]]
    for index, (cell, (kind, text)) in enumerate(zip(built, stored)):
        assert (cell.kind, cell.source) == (kind, text), (
            f"notebooks/ko/{source.stem}.ipynb cell {index} has drifted from lessons/{source.name} + "
            f"lessons/ko/{source.name}: run `python lessons/build.py {source.stem[:2]}`")
    assert len(built) == len(stored)


@every_lesson
def test_both_editions_run_the_same_code(source: Path):
    english = load(NOTEBOOKS / f"{source.stem}.ipynb")
    korean = korean_notebook(source)
    code_en = [code_without_comments(cell_text(c)) for c in english["cells"] if c["cell_type"] == "code"]
    code_ko = [code_without_comments(cell_text(c)) for c in korean["cells"] if c["cell_type"] == "code"]
    assert code_ko == code_en
    kinds = lambda nb: [c["cell_type"] for c in nb["cells"]]  # noqa: E731
    assert kinds(korean) == kinds(english)
    assert korean["metadata"] == english["metadata"], "same kernelspec and language_info"


@every_lesson
def test_korean_edition_sets_the_korean_language(source: Path):
    code = [cell_text(c) for c in korean_notebook(source)["cells"] if c["cell_type"] == "code"]
    assert build.LANGUAGE_LINE.format("ko") in code[0].split("\n")
    assert not any(build.LANGUAGE_LINE.format("en") in c for c in code)


@every_lesson
def test_korean_code_comments_are_korean(source: Path):
    for cell in korean_notebook(source)["cells"]:
        if cell["cell_type"] != "code":
            continue
        for token in tokenize.generate_tokens(io.StringIO(cell_text(cell)).readline):
            text = token.string[1:].strip()
            if token.type == tokenize.COMMENT and build.translatable(text):
                # a comment that is only a formula or a shape, such as "dz2/dw2 = a1", stays
                words = re.findall(r"[A-Za-z]{3,}", prose(text))
                assert hangul_share(text)[0] or not words, \
                    f"an English comment in the Korean edition: {token.string!r}"


SOURCE = """# %% [markdown]
# # Lesson 9 · Title
#
# Text.

# %%
import stepnn as sn
sn.set_language("en")
x = 1  # one sample
print("# not a comment")  # one sample

# %% [markdown]
# More text.

# %%
# NBVAL_IGNORE_OUTPUT
# why: it varies
y = 2
"""

OVERLAY = """# %% [markdown]
# # 9강 · 제목
#
# 본문.

# %% [markdown]
# 본문 더.

# %% [comments]
# en: one sample
# ko: 샘플 하나

# en: why: it varies
# ko: 이유: 달라진다
"""


def localized(tmp_path: Path, overlay: str = OVERLAY) -> list:
    (tmp_path / "09_x.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "ko").mkdir(exist_ok=True)
    (tmp_path / "ko" / "09_x.py").write_text(overlay, encoding="utf-8")
    return build.localize(build.read_lesson(tmp_path / "09_x.py"), build.read_overlay(tmp_path / "ko" / "09_x.py"), "ko")


def test_localize_swaps_markdown_comments_and_the_language_line(tmp_path):
    cells = localized(tmp_path)
    assert [c.kind for c in cells] == ["markdown", "code", "markdown", "code"]
    assert cells[0].source.startswith("# 9강 · 제목") and cells[2].source == "본문 더."
    assert cells[1].source.split("\n") == [
        "import stepnn as sn", 'sn.set_language("ko")', "x = 1  # 샘플 하나",
        'print("# not a comment")  # 샘플 하나']
    assert cells[3].source.split("\n") == ["# NBVAL_IGNORE_OUTPUT", "# 이유: 달라진다", "y = 2"]


@pytest.mark.parametrize("overlay, message", [
    (OVERLAY.replace("# %% [markdown]\n# 본문 더.\n\n", ""), "has 2 Markdown cells, the overlay 1"),
    (OVERLAY.replace("# en: one sample\n# ko: 샘플 하나\n", ""), "# en: one sample\n# ko: ..."),
    (OVERLAY + "\n# en: gone\n# ko: 없어진 주석\n", "no longer has"),
    (OVERLAY.replace("# ko: 샘플 하나", "# 샘플 하나"), "expected '# ko: ...'"),
    (OVERLAY.replace("# %% [comments]\n", ""), "exactly one '# %% [comments]' cell"),
    (OVERLAY.replace("# 본문 더.", "# 본문 더.\n\n# %%\nx = 2"), "only Markdown cells"),
], ids=["markdown count", "missing comment", "unused comment", "bad pair", "no comments cell", "code cell"])
def test_an_overlay_that_does_not_fit_stops_the_build_with_a_reason(tmp_path, overlay, message):
    with pytest.raises(build.OverlayError, match=re.escape(message)):
        localized(tmp_path, overlay)


def test_a_missing_overlay_or_language_line_stops_the_build(tmp_path):
    with pytest.raises(build.OverlayError, match="is missing"):
        build.read_overlay(tmp_path / "ko" / "09_x.py")
    (tmp_path / "09_x.py").write_text(SOURCE.replace('sn.set_language("en")\n', ""), encoding="utf-8")
    (tmp_path / "ko").mkdir()
    (tmp_path / "ko" / "09_x.py").write_text(OVERLAY, encoding="utf-8")
    with pytest.raises(build.OverlayError, match=re.escape('sn.set_language("en")')):
        build.localize(build.read_lesson(tmp_path / "09_x.py"), build.read_overlay(tmp_path / "ko" / "09_x.py"), "ko")


def test_main_reports_an_overlay_error_without_running_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(build.OVERLAYS, "ko", tmp_path)  # an empty folder: no overlays
    assert build.main(["--lang", "ko", "00"]) == 1
    assert "00_training_loop.py is missing" in capsys.readouterr().err


def test_solved_korean_edition_goes_to_its_own_folder(tmp_path):
    edition = build.solved_edition(tmp_path, "ko")
    assert edition.out == tmp_path / "ko" and edition.lang == "ko"
    source = [p for p in SOURCES if p.stem.startswith("01")][0]
    cells = edition.cells(source)
    assert not build.exercises(cells), "every exercise solved"
    assert build.LANGUAGE_LINE.format("ko") in [c for c in cells if c.kind == "code"][0].source


# ------------------------------------------------------------------------------- the prose
@every_lesson
def test_korean_lesson_prose_is_korean(source: Path):
    markdown = [cell_text(c) for c in korean_notebook(source)["cells"] if c["cell_type"] == "markdown"]
    hangul = letters = 0
    for index, text in enumerate(markdown):
        h, n = hangul_share(prose(text))
        hangul, letters = hangul + h, letters + n
        assert h or n < MIN_LETTERS_FOR_A_SENTENCE, f"Markdown cell {index} has no Korean: {text[:200]!r}"
    share = hangul / letters
    assert share >= MIN_HANGUL_SHARE, f"{source.stem}: only {share:.0%} of the prose's letters are Hangul"


@every_lesson
def test_korean_lesson_keeps_the_parts_every_lesson_promises(source: Path):
    markdown = [cell_text(c) for c in korean_notebook(source)["cells"] if c["cell_type"] == "markdown"]
    first, text = markdown[0], "\n".join(markdown)
    assert re.match(r"# \d+강 · ", first), "the title: '# N강 · ...'"
    assert "**학습 목표.**" in first
    assert "## 해 보기" in text
    assert "## 스스로 점검하기" in text
    english = "\n".join(cell_text(c) for c in load(NOTEBOOKS / f"{source.stem}.ipynb")["cells"]
                        if c["cell_type"] == "markdown")
    assert text.count("<details>") == english.count("<details>"), "one folded answer per question"
    assert text.count("</details>") == text.count("<details>")


def test_prose_leaves_out_code_formulas_and_parentheses():
    text = "순전파 (forward propagation) 는 `model.forward(x)` 로 $z = xW + b$ 를 계산합니다."
    assert hangul_share(prose(text)) == (11, 11)
    assert hangul_share(prose("The forward pass (순전파)")) == (0, 14)


# --------------------------------------------------------------------- glyphs in the outputs
@pytest.mark.parametrize("edition", ["en", "ko"])
@every_lesson
def test_no_stored_output_reports_a_missing_glyph(source: Path, edition: str):
    path = (NOTEBOOKS if edition == "en" else KOREAN) / f"{source.stem}.ipynb"
    for index, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            assert output.get("name") != "stderr" or not any(w in text for w in GLYPH_WARNINGS), (
                f"{path.relative_to(REPO_ROOT)} cell {index}: {text[:300]}")


# ------------------------------------------------------------- English in the Korean outputs
# What a Korean lesson prints, shows as a dashboard's stand-in or describes a figure with is read
# by a Korean student: a run of two or more English words there is a sentence left in English.
# Latin letters stay where they are code or a name, and the scan removes those first:
# - markup: HTML tags with their attributes (a font stack such as 'Noto Sans KR');
# - Python reprs of strings, '...' and "...": values the code holds (['mean_squared_error'],
#   ('setosa', 'versicolor'), the presets' keys 'too small' that DescentExplorer.use_preset takes);
# - the English term in parentheses right after its Korean word, as the course writes it on first
#   use: "순전파(forward)";
# - identifiers: names with a digit, an underscore, a dot, a call or an index (z1, dL/dW2,
#   binary_crossentropy, trainer.undo(), fit(epochs=5), W1[0,0]).
# - abbreviations in capitals (MSE, BCE, CEE, PCA) and the iris species' Latin names, data.
WORD = r"(?=[A-Z]{0,2}[a-z])[A-Za-z]{3,}"  # a word of 3 letters or more, not all capitals
ENGLISH_RUN = re.compile(rf"\b{WORD}(?:[ \t-]+{WORD})+\b")
NAMES = re.compile(r"\b(setosa|versicolor|virginica)\b")
# An object's default repr, where a notebook front end shows one: a figure's size line
# ("<Figure size 500x300 with 1 Axes>") and an ipympl canvas's widget repr. Their text is
# matplotlib's, not the lesson's; the lesson's figures are scanned through their texts instead.
FOREIGN_REPR = re.compile(r"^(<Figure size .*>|Canvas\(.*)$")


def english_runs(text: str) -> list:
    """Runs of two or more English words in ``text`` once code, names and markup are removed
    (each removed piece leaves a mark that ends a run: "Dense 1 relu" is not a sentence)."""
    cut = " ¦ "
    text = re.sub(r"<style.*?</style>", cut, text, flags=re.S)
    text = re.sub(r"<[^>]+>", cut, text)
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", cut, text)
    text = re.sub(r"(?<=[\uac00-\ud7a3])\s?\([^()]*\)", cut, text)
    text = re.sub(r"[A-Za-z_][\w.]*(?:\([^()]*\)|\[[^\]]*\])", cut, text)   # calls, indexing
    text = re.sub(r"\b\w*[\d_.]\w*\b", cut, text)  # numbers; names with digits, underscores, dots
    text = NAMES.sub(cut, text)
    return ENGLISH_RUN.findall(text)


def output_texts(notebook: dict):
    """(cell index, kind, text) of every text a notebook's stored outputs hold."""
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if "text" in output:
                yield index, output.get("name", "stream"), "".join(output["text"])
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/"):
                    yield index, kind, "".join(value)


@every_lesson
def test_korean_lesson_outputs_say_nothing_in_english(source: Path):
    found = []
    for index, kind, text in output_texts(korean_notebook(source)):
        for line in text.splitlines():
            if not FOREIGN_REPR.match(line.strip()):
                found += [(index, kind, run, line[:160]) for run in english_runs(line)]
    assert not found, f"notebooks/ko/{source.stem}.ipynb prints English: {found[:8]}"


def test_the_english_scan_finds_sentences_and_leaves_code():
    assert english_runs("prediction shape: (16, 1)") == ["prediction shape"]
    assert english_runs("Dense 1      3        relu       9") == []
    assert english_runs("     p      MSE      BCE") == []
    assert english_runs("the weighted Sum") == ["the weighted Sum"]
    assert english_runs("StepThrough: network [2, 3, 1] (live figures). Run this cell") == [
        "live figures", "Run this cell"]
    assert english_runs("중지: target_loss - 에포크 손실 0.04844 <= 0.05") == []
    assert english_runs("순전파(forward) -> 손실(loss), trainer.forward()를 호출하거나") == []
    assert english_runs("프리셋: {'too small': 0.0125, 'good': 0.25}") == []
    assert english_runs("<div style=\"font-family: 'Segoe UI', sans-serif\">힌트</div>") == []
    assert english_runs("fit(epochs=5) -> 중지: max_epochs (에포크 5번 완료)") == []


# ------------------------------------------------------------------- glyphs in the figures
W1 = np.array([[0.5, -0.3, 0.8], [0.2, 0.9, -0.4]])
W2 = np.array([[0.7], [-0.5], [0.3]])


def _trainer():
    import stepnn as sn

    X, y = sn.datasets.gauss(n=32, seed=0)
    model = sn.Sequential([sn.Dense(2, 3, activation="relu"), sn.Dense(3, 1, activation="sigmoid")], seed=0)
    return sn.Trainer(model, X, y, loss="binary_crossentropy", optimizer="sgd", learning_rate=0.1,
                      batch_size=8, seed=0)


def _diagrams():
    from stepnn.views import diagrams

    return {
        "training_loop": lambda: diagrams.training_loop(lang="ko").figure,
        "network": lambda: diagrams.network([(W1, np.zeros(3)), (W2, np.zeros(1))], lang="ko",
                                            activations=["ReLU", "σ"]).figure,
        "chain_graph": lambda: diagrams.chain_graph(lang="ko").figure,
        "epoch_timeline": lambda: diagrams.epoch_timeline(10, 4, 2, lang="ko").figure,
    }


def _dashboards():
    from stepnn.widgets.chain_rule import ChainRule
    from stepnn.widgets.descent import DescentExplorer
    from stepnn.widgets.loss_explorer import LossExplorer
    from stepnn.widgets.race import OptimizerRace
    from stepnn.widgets.stepthrough import StepThrough

    def stepthrough():
        trainer = _trainer()
        trainer.step()
        trainer.forward()
        return StepThrough(trainer, lang="ko", live=False).figures

    return {
        "StepThrough": stepthrough,
        "LossExplorer": lambda: LossExplorer(loss="binary_crossentropy", lang="ko", live=False).figures,
        "ChainRule": lambda: ChainRule(seed=0, loss="binary_crossentropy", lang="ko", live=False).figures,
        "DescentExplorer": lambda: DescentExplorer("quadratic", lang="ko", live=False).figures,
        "OptimizerRace": lambda: OptimizerRace("xor", runs="optimizers", lang="ko", live=False).figures,
    }


FIGURES = ["training_loop", "network", "chain_graph", "epoch_timeline",
           "StepThrough", "LossExplorer", "ChainRule", "DescentExplorer", "OptimizerRace"]


def test_the_glyph_check_covers_every_diagram_and_dashboard_the_lessons_use():
    used = set()
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r"diagrams\.(\w+)\(", text))
        used |= set(re.findall(r"\b(StepThrough|LossExplorer|ChainRule|DescentExplorer|OptimizerRace)\(", text))
    assert used <= set(FIGURES), f"add {sorted(used - set(FIGURES))} to FIGURES and its maker"


@pytest.mark.parametrize("name", FIGURES)
def test_korean_figure_draws_every_glyph(name: str, caplog):
    import matplotlib

    makers = {**_diagrams(), **_dashboards()}
    # matplotlib's own defaults: no Hangul font in the global settings, whatever ran before
    plain = {"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"), \
            matplotlib.rc_context(plain):
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        made = makers[name]()
        figures = made if isinstance(made, list) else [made]
        for figure in figures:
            figure.savefig(io.BytesIO(), format="png")
    assert figures
    font_messages = [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")]
    assert not font_messages, font_messages
    texts = [t.get_text() for figure in figures for t in figure.findobj(Text)]
    assert any(is_hangul(ch) for t in texts for ch in t), "a Korean figure without Hangul"
    english = [(text, runs) for text in texts for runs in [english_runs(text)] if runs]
    assert not english, f"English in a Korean figure: {english}"


def test_a_dashboards_stand_in_sentence_speaks_its_language():
    """The text/plain a stored notebook shows for a dashboard until its kernel runs."""
    import stepnn as sn
    from stepnn.widgets.chain_rule import ChainRule
    from stepnn.widgets.descent import DescentExplorer
    from stepnn.widgets.loss_explorer import LossExplorer
    from stepnn.widgets.race import OptimizerRace
    from stepnn.widgets.stepthrough import StepThrough

    makers = [lambda: StepThrough(_trainer(), live=False), lambda: ChainRule(seed=0, live=False),
              lambda: LossExplorer(live=False), lambda: DescentExplorer("quadratic", live=False),
              lambda: OptimizerRace("xor", runs="optimizers", live=False)]
    for make in makers:
        english = make().describe()
        assert english.endswith("(static figures). Run this cell in Jupyter to use the dashboard.")
        sn.set_language("ko")
        try:
            dash = make()
        finally:
            sn.set_language("en")
        korean = dash.describe()
        assert korean.endswith("(정지 그림). Jupyter에서 이 셀을 실행하면 대시보드를 쓸 수 있습니다.")
        assert dash._repr_mimebundle_()["text/plain"] == korean
        assert english_runs(korean) == [], korean


def test_drawing_korean_figures_leaves_matplotlib_settings_alone():
    import matplotlib

    before = dict(matplotlib.rcParams)
    for make in _diagrams().values():
        make().savefig(io.BytesIO(), format="png")
    assert dict(matplotlib.rcParams) == before
