"""The one interactive answer widget, used by Review and Quiz: choices (pick one or toggle
several), true/false, order (move the items), and typed or numeric text in an answer box.

`Attempt` holds what the user did with one question (picks, the arrangement, the typed text,
the checked result); `AnswerView` draws it and holds the answer box. The screens' keys call
the `Attempt` methods and then `AnswerView.show`. Rows carry `@click` actions
(`screen.pick(i)`, `screen.answer_bool(v)`, `screen.order_select(i)`), so a screen that has
these actions works with the mouse too. What is drawn follows the question's `Interaction`, so
a registered card type gets its answer drawn without changes here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from studytool.study.cardtypes import Interaction, Kind, Question, Response
from studytool.study.grading import Check, char_diff, closest
from studytool.study.text import LABELS, t
from studytool.textsafe import visible

CHOICE_KEYS = "abcde"
CHOOSING = (Interaction.PICK, Interaction.TOGGLE)


@dataclass
class Attempt:
    """The user's answer to one showing of a question."""

    question: Question
    picked: set[int] = field(default_factory=set)  # pick / toggle: positions as shown
    arrangement: list[int] = field(default_factory=list)  # order: shown positions, first first
    cursor: int = 0  # order: the selected row
    text: str = ""  # typed / numeric: the text given
    response: Response | None = None  # what was submitted
    check: Check | None = None  # set once the answer is checked

    @classmethod
    def start(cls, question: Question) -> Attempt:
        arranging = question.interaction is Interaction.ARRANGE
        return cls(question, arrangement=list(range(len(question.options))) if arranging else [])

    @property
    def interaction(self) -> Interaction:
        return self.question.interaction

    @property
    def order(self) -> list[int]:
        """Order: the card's item indices as arranged now."""
        return [self.question.options[p] for p in self.arrangement]

    def pick(self, position: int) -> None:
        """Pick one choice, or toggle it where several may be right."""
        if self.interaction is Interaction.TOGGLE:
            self.picked ^= {position}
        else:
            self.picked = {position}

    def move_cursor(self, step: int) -> None:
        self.select(self.cursor + step)

    def select(self, row: int) -> None:
        self.cursor = max(0, min(len(self.arrangement) - 1, row))

    def move(self, step: int) -> None:
        """Move the selected item up (-1) or down (1), keeping it selected."""
        i, j = self.cursor, self.cursor + step
        if 0 <= j < len(self.arrangement):
            self.arrangement[i], self.arrangement[j] = self.arrangement[j], self.arrangement[i]
            self.cursor = j

    def current(self) -> Response | None:
        """The answer as it stands (None: nothing chosen yet)."""
        match self.interaction:
            case Interaction.PICK:
                return next(iter(self.picked), None)
            case Interaction.TOGGLE:
                return tuple(sorted(self.picked))
            case Interaction.ARRANGE:
                return tuple(self.arrangement)
            case Interaction.INPUT:
                return self.text
        return None

    @property
    def unanswered(self) -> bool:
        """Shown without an answer: not wrong, just not answered (the user grades it)."""
        return self.response is None and self.check is None

    def submit(self, response: Response | None) -> Check | None:
        """Check an answer and keep the result. Nothing given (None, an empty text or no
        choice) is not an answer: no check, and nothing to call wrong."""
        empty = response is None or response == "" or response == ()
        self.response = None if empty else response
        self.check = None if self.response is None else self.question.check(self.response)
        return self.check

    def said(self, lang: str) -> str:
        """What the user answered, for the feedback line ('' where the rows show it)."""
        if self.response is None or self.interaction in (*CHOOSING, Interaction.ARRANGE):
            return ""
        if self.interaction is Interaction.BOOL:
            return LABELS[lang]["true" if self.response else "false"]
        return self.question.response_text(self.response)


DIFF_STYLE = {"same": "green", "extra": "bold red strike", "missing": "bold green underline"}


def typed_diff(question: Question, response: Response | None, lang: str) -> Text | None:
    """A wrong typed answer against the closest accepted spelling, character by character:
    what was typed too much struck out in red, what is missing underlined in green."""
    if question.kind != Kind.TYPED or not isinstance(response, str) or not response:
        return None
    if question.check(response).correct:
        return None
    spellings = [a.get(lang) for a in question.accepted] + [a.en for a in question.accepted]
    target = closest(response, list(dict.fromkeys(spellings)))
    line = Text("  ")
    for segment, tag in char_diff(response, target):
        line.append(visible(segment), style=DIFF_STYLE[tag])
    return line


def _click(action: str) -> Style:
    return Style(meta={"@click": action})


def _choices(a: Attempt, lang: str, revealed: bool) -> list[RenderableType]:
    right = set(a.question.right_options)
    toggle = a.interaction is Interaction.TOGGLE
    rows: list[RenderableType] = []
    for pos, text in enumerate(a.question.option_texts(lang)):
        key = f"{pos + 1}/{CHOICE_KEYS[pos]}" if pos < len(CHOICE_KEYS) else f"{pos + 1}"
        picked = pos in a.picked
        mark = ("☑" if picked else "☐") if toggle else ("●" if picked else "○")
        style, suffix = ("bold" if picked else ""), ""
        if revealed:
            if pos in right:
                style, suffix = "bold green", "  ✓"
            elif picked:
                style, suffix = "red strike", "  ✗"
            else:
                style = "dim"
        line = Text.assemble((f" {key:>4} ", "dim"), (f"{mark} {visible(text)}{suffix}", style))
        if not revealed:
            line.stylize(_click(f"screen.pick({pos})"))
        rows.append(line)
    return rows


def _arrangement(a: Attempt, lang: str, revealed: bool) -> list[RenderableType]:
    items = a.question.card.items
    rows: list[RenderableType] = []
    for row, item in enumerate(a.order):
        here = row == a.cursor and not revealed
        style, suffix = ("reverse" if here else ""), ""
        if revealed:
            ok = item == row
            style = "green" if ok else "red"
            suffix = "  ✓" if ok else f"  ✗ ({t('belongs_at', lang, n=item + 1)})"
        line = Text.assemble(
            (" ▸ " if here else "   ", "bold"),
            (f"{row + 1}. ", "dim"),
            (visible(items[item].get(lang)), style),
            (suffix, style),
        )
        if not revealed:
            line.stylize(_click(f"screen.order_select({row})"))
        rows.append(line)
    return rows


def answer_rows(a: Attempt, lang: str, revealed: bool) -> list[RenderableType]:
    """The interactive part of a question, below it: empty for typed and recall answers."""
    match a.interaction:
        case Interaction.PICK | Interaction.TOGGLE:
            return [Text(), *_choices(a, lang, revealed)]
        case Interaction.ARRANGE:
            return [Text(), *_arrangement(a, lang, revealed)]
        case Interaction.BOOL if not revealed:
            labels = LABELS[lang]
            return [
                Text(),
                Text.assemble(
                    ("  t ", "dim"),
                    (labels["true"], _click("screen.answer_bool(1)") + Style(bold=True)),
                    ("     f ", "dim"),
                    (labels["false"], _click("screen.answer_bool(0)") + Style(bold=True)),
                ),
            ]
    return []


class AnswerView(Vertical):
    """The answer part of a card on screen: its rows, and the answer box for typed answers.

    `input_id` names the answer box (screens listen for its `Input.Submitted`); `empty_enter`
    is the label key (study.text) of what an empty Enter does there."""

    DEFAULT_CSS = """
    AnswerView {
        height: auto;
    }
    AnswerView > .answer-rows {
        height: auto;
    }
    """

    def __init__(self, *, input_id: str, empty_enter: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.input_id = input_id
        self.empty_enter = empty_enter
        self.attempt: Attempt | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="answer-rows")
        yield Input(id=self.input_id)

    @property
    def input(self) -> Input:
        return self.query_one(f"#{self.input_id}", Input)

    def start(self, attempt: Attempt) -> bool:
        """A new question: reset the answer box, focused when the answer is typed. True when
        it is."""
        self.attempt = attempt
        box = self.input
        typing = attempt.interaction is Interaction.INPUT
        box.value = ""
        box.disabled = False
        box.display = typing
        # now, not deferred as focus() is: the next question may be shown before that runs
        self.screen.set_focus(box if typing else None)
        return typing

    def placeholder(self, lang: str) -> str:
        """The answer box's hint (set by `show`, in the language shown)."""
        numeric = self.attempt is not None and self.attempt.question.kind == Kind.NUMERIC
        what = t("a_number" if numeric else "your_answer", lang)
        return f"{what}, {t('then_enter', lang, what=t(self.empty_enter, lang))}"

    def close(self) -> None:
        """The answer is in: the box takes no more typing."""
        self.input.disabled = True

    def show(self, lang: str, revealed: bool) -> None:
        self.input.placeholder = self.placeholder(lang)
        rows = answer_rows(self.attempt, lang, revealed) if self.attempt is not None else []
        static = self.query_one(".answer-rows", Static)
        static.update(Group(*rows))
        static.display = bool(rows)
