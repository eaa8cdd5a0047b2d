"""Quiz mode's setup form: decks, tags, number of questions, time limit, feedback, fresh draw.

QuizSetupScreen switches to QuizScreen (`quiz_screen`), which switches to QuizResultsScreen
(`quiz_results`) when the last question is answered, the time runs out or the user ends the
quiz. The seed is drawn at random unless one is given (tests take a fixed one).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from studytool.content.model import Text as Bilingual
from studytool.store.errors import StoreError
from studytool.study.quiz import (
    FEEDBACK,
    MAX_QUESTIONS,
    QuizRun,
    QuizSpec,
    draw_questions,
    parse_duration,
    weakness_weights,
)
from studytool.study.text import t
from studytool.textsafe import rich_text
from studytool.tui.quiz_screen import QuizScreen
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    pass


def parse_time_limit(text: str) -> int | None:
    """'' -> untimed; '20m', '90s', '1h30m' or minutes -> seconds. ValueError if bad."""
    return parse_duration(text) if text.strip() else None


# ---- setup ---------------------------------------------------------------------------------

LANGS = ("en", "ko")
FEEDBACK_LABELS = {"immediate": "setup_immediate", "end": "setup_at_end"}
LABEL_KEYS = (
    ("#setup-tags-label", "setup_tags"),
    ("#setup-n-label", "setup_questions"),
    ("#setup-time-label", "setup_time"),
    ("#setup-feedback-label", "setup_feedback"),
)


class QuizSetupScreen(StudyScreen[None]):
    CSS_PATH = "quiz.tcss"
    TITLE_TEXT = "Quiz setup"  # the help screen's name for it
    HELP = "help.quiz-setup"  # a CHROME key: the help screen shows it in the app's language
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="quiz-setup.start", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="quiz-setup.back"),
    ]

    def __init__(self, deck: str | None = None, *, seed: int | None = None) -> None:
        super().__init__()
        self.deck = deck
        self.seed = seed  # None: a fresh random quiz each time
        self.shown_error: tuple[str, dict[str, object]] | None = None

    def compose(self) -> ComposeResult:
        app = self.study_app
        lang = app.lang
        yield TitleBar()
        with Horizontal(id="setup-main"):
            decks = SelectionList[str](
                *(
                    (rich_text(d.title.get(lang)), d.id, d.id == self.deck)
                    for d in app.library.decks
                ),
                id="setup-decks",
            )
            decks.border_title = t("setup_decks", lang)
            yield decks
            with VerticalScroll(id="setup-options"):
                yield Label(t("setup_tags", lang), id="setup-tags-label")
                yield Input(placeholder=t("setup_tags_hint", lang), id="setup-tags")
                with Horizontal(classes="setup-row"):
                    with Vertical():
                        yield Label(t("setup_questions", lang), id="setup-n-label")
                        yield Input("10", type="integer", id="setup-n")
                    with Vertical():
                        yield Label(t("setup_time", lang), id="setup-time-label")
                        yield Input(placeholder=t("setup_time_hint", lang), id="setup-time")
                yield Label(t("setup_feedback", lang), id="setup-feedback-label")
                with RadioSet(id="setup-feedback"):
                    for mode in FEEDBACK:
                        yield RadioButton(
                            t(FEEDBACK_LABELS[mode], lang),
                            value=mode == app.settings.quiz_feedback,
                            name=mode,
                        )
                yield Checkbox(t("setup_fresh", lang), id="setup-fresh")
                yield Static(id="setup-error")
                yield Button(t("setup_start", lang), id="setup-start", variant="primary")
        yield KeyBar()  # its key names follow `l`

    def on_mount(self) -> None:
        self.title = t("title_quiz", self.study_app.lang)
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.query_one("#setup-decks", SelectionList).focus()

    def _lang_changed(self, lang: str) -> None:
        self.title = t("title_quiz", lang)
        self.query_one("#setup-decks").border_title = t("setup_decks", lang)
        for label_id, key in LABEL_KEYS:
            self.query_one(label_id, Label).update(t(key, lang))
        self.query_one("#setup-tags", Input).placeholder = t("setup_tags_hint", lang)
        self.query_one("#setup-time", Input).placeholder = t("setup_time_hint", lang)
        for button in self.query_one("#setup-feedback", RadioSet).query(RadioButton):
            button.label = t(FEEDBACK_LABELS[button.name or "immediate"], lang)
        self.query_one("#setup-fresh", Checkbox).label = t("setup_fresh", lang)
        self.query_one("#setup-start", Button).label = t("setup_start", lang)
        if self.shown_error is not None:
            self.error(*self.shown_error)

    @on(Button.Pressed, "#setup-start")
    @on(Input.Submitted)
    def _start(self) -> None:
        self.action_start()

    def error(self, key: str, values: dict[str, object] | None = None) -> None:
        """Show the CHROME text `key` as what is wrong; it follows `l`."""
        self.shown_error = (key, values or {})
        message = t(key, self.study_app.lang, **(values or {}))
        self.query_one("#setup-error", Static).update(Text(message, style="bold red"))

    def spec(self) -> QuizSpec | None:
        """The form as a QuizSpec, or None after showing what is wrong."""
        decks = tuple(self.query_one("#setup-decks", SelectionList).selected)
        raw_tags = self.query_one("#setup-tags", Input).value
        tags = tuple(dict.fromkeys(t.strip() for t in raw_tags.split(",") if t.strip()))
        known = {t for c in self.study_app.all_cards() for t in c.tags}
        unknown = [t for t in tags if t not in known]
        if unknown:
            self.error("setup_no_tag", {"tag": unknown[0]})
            return None
        try:
            n = int(self.query_one("#setup-n", Input).value or "0")
        except ValueError:
            n = 0
        if not 1 <= n <= MAX_QUESTIONS:
            self.error("setup_bad_n", {"max": MAX_QUESTIONS})
            return None
        try:
            limit = parse_time_limit(self.query_one("#setup-time", Input).value)
        except ValueError as e:
            self.error("setup_bad_time", {"why": e})
            return None
        pressed = self.query_one("#setup-feedback", RadioSet).pressed_button
        feedback = pressed.name if pressed is not None and pressed.name else "immediate"
        return QuizSpec(
            decks=decks,
            tags=tags,
            n=n,
            time_limit_s=limit,
            fresh=self.query_one("#setup-fresh", Checkbox).value,
            seed=random.SystemRandom().randrange(1, 1_000_000) if self.seed is None else self.seed,
            feedback=feedback,
            lang=self.study_app.lang,
        )

    def action_start(self) -> None:
        app = self.study_app
        spec = self.spec()
        if spec is None:
            return
        store = app.require_store()
        if store is None:
            return
        cards = app.all_cards()
        try:
            weights = None if spec.fresh else weakness_weights(store, cards, app.clock())
        except StoreError as e:
            self.error("setup_store_error", {"why": e})
            return
        questions = draw_questions(cards, spec, random.Random(spec.seed), weights)
        if not questions:
            self.error("setup_no_cards")
            return
        chosen = [d.title for d in app.library.decks if d.id in spec.decks]
        en, ko = (", ".join(d.get(lang) for d in chosen) or t("all_decks", lang) for lang in LANGS)
        run = QuizRun(questions, spec, clock=app.clock)
        app.switch_screen(QuizScreen(run, title=Bilingual(en, ko)))
