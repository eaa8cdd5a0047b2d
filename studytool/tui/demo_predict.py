"""The questions a demo asks before it runs, and its scored answers after the verdict.

`PredictScreen` is a modal over the demo screen: one block per question (a list of options,
or a number box), dismissed with {question id: guess or None} when the student runs the demo,
or None when Esc skips the questions. Reading and scoring the guesses is
`studytool.demorun.predict`'s; `scored_table` draws the result next to what the run gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from studytool.demorun.params import Prediction
from studytool.demorun.predict import GuessError, Scored, parse_guess, show_value
from studytool.study.text import t

Guesses = dict[str, float | None]


def _prompt(q: Prediction, lang: str) -> str:
    return q.prompt_ko if lang == "ko" else q.prompt_en


class PredictScreen(ModalScreen[Guesses | None]):
    """Ask a demo's questions before its run; Esc skips them (the run starts all the same)."""

    CSS_PATH = "demo.tcss"
    AUTO_FOCUS = ".predict-answer"  # the first question, not the scrolling box around them
    BINDINGS: ClassVar = [Binding("escape", "skip", "Skip", id="predict.skip")]

    def __init__(self, questions: Sequence[Prediction], lang: str) -> None:
        super().__init__()
        self.questions = tuple(questions)
        self.lang = lang
        self.choices: dict[str, int] = {}  # choice questions answered so far

    def compose(self) -> ComposeResult:
        lang = self.lang
        with VerticalScroll(id="predict-box") as box:
            box.border_title = t("predict_title", lang)
            yield Static(Text(t("predict_help", lang), style="dim"), id="predict-help")
            for q in self.questions:
                yield Static(Text(_prompt(q, lang), style="bold"), classes="predict-prompt")
                if q.kind == "choice":
                    options = q.options_ko if lang == "ko" else q.options_en
                    yield OptionList(
                        *(
                            Option(Text(f"{chr(ord('a') + i)}. {o}"), id=str(i))
                            for i, o in enumerate(options)
                        ),
                        id=f"q-{q.id}",
                        classes="predict-answer predict-options",
                    )
                    yield Static(id=f"picked-{q.id}", classes="predict-picked")
                else:
                    unit = f" ({q.unit})" if q.unit else ""
                    yield Input(
                        placeholder=t("predict_number", lang, unit=unit),
                        id=f"q-{q.id}",
                        classes="predict-answer",
                        compact=True,
                    )
            yield Static(id="predict-msg")
            with Horizontal(id="predict-buttons"):
                yield Button(t("predict_run", lang), id="predict-run", variant="primary")
                yield Button(t("predict_skip", lang), id="predict-skip")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        qid = (event.option_list.id or "").removeprefix("q-")
        q = next(q for q in self.questions if q.id == qid)
        self.choices[qid] = int(event.option.id or 0)
        picked = show_value(q, float(self.choices[qid]), self.lang)
        self.query_one(f"#picked-{qid}", Static).update(Text(f"→ {picked}", style="bold"))
        self.focus_next()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#predict-run")
    def _run_pressed(self) -> None:
        self.submit()

    @on(Button.Pressed, "#predict-skip")
    def _skip_pressed(self) -> None:
        self.action_skip()

    def guesses(self) -> Guesses:
        """What the form holds; raises GuessError for a number box that is not a number."""
        out: Guesses = {}
        for q in self.questions:
            if q.kind == "choice":
                index = self.choices.get(q.id)
                out[q.id] = None if index is None else float(index)
                continue
            text = self.query_one(f"#q-{q.id}", Input).value.strip()
            out[q.id] = parse_guess(q, text) if text else None
        return out

    def submit(self) -> None:
        try:
            guesses = self.guesses()
        except GuessError as exc:
            self.query_one("#predict-msg", Static).update(Text(str(exc), style="bold red"))
            return
        self.dismiss(guesses)

    def action_skip(self) -> None:
        self.dismiss(None)


def scored_table(scored: Sequence[Scored], lang: str, note: str = "") -> Table:
    """Each question with the student's guess, the run's answer and right or wrong."""
    table = Table(box=None, pad_edge=False, expand=True, caption=note or None)
    table.add_column(t("question", lang), ratio=3, overflow="fold")
    table.add_column(t("your_guess", lang), ratio=1, overflow="fold")
    table.add_column(t("the_run", lang), ratio=1, overflow="fold")
    table.add_column("", no_wrap=True)
    for s in scored:
        q = s.question
        if s.right is True:
            mark = Text(t("predict_right", lang), style="bold green")
        elif s.right is False:
            mark = Text(t("predict_wrong", lang), style="bold red")
        else:
            key = "predict_skipped" if s.guess is None else "predict_no_answer"
            mark = Text(t(key, lang), style="dim")
        table.add_row(
            Text(_prompt(q, lang)),
            Text(show_value(q, s.guess, lang)),
            Text(show_value(q, s.answer, lang)),
            mark,
        )
    return table
