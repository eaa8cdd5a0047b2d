"""Dialogs of the editor and Browse: the type of a new card, a question with a few buttons."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from studytool.content.model import CardType
from studytool.textsafe import rich_text, visible

TYPE_HELP = {
    CardType.BASIC: "front and back",
    CardType.REVERSED: "front and back, reviewed both ways",
    CardType.CLOZE: "text with {{c1::blanks}}",
    CardType.MCQ: "one right choice",
    CardType.MULTI: "several right choices",
    CardType.TRUEFALSE: "a statement, true or false",
    CardType.TYPED: "type the answer",
    CardType.NUMERIC: "a number, with a tolerance",
    CardType.ORDER: "put items in order",
}


class CardTypePicker(ModalScreen[str | None]):
    """Pick the type of a new card."""

    CSS_PATH = "editor.tcss"
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="pick-type.cancel")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = RichText.assemble(
                "New card in ", (visible(self.where), "bold"), ": which type?"
            )
            yield Static(title, classes="dialog-title")
            yield OptionList(
                *(
                    Option(RichText.assemble((f"{t.value:<10}", "bold"), TYPE_HELP[t]), id=t.value)
                    for t in CardType
                ),
                id="type-picker-list",
            )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str]):
    """A question with a few buttons; dismissed with the id of the button (escape: cancel)."""

    CSS_PATH = "editor.tcss"
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, message: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(rich_text(self.title_text), classes="dialog-title")
            yield Static(rich_text(self.message), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                for i, (choice_id, label) in enumerate(self.choices):
                    yield Button(label, id=f"choice-{choice_id}", variant="primary" if i == 0
                                 else "default")  # fmt: skip

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss("cancel")
