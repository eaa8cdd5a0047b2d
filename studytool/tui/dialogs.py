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
from studytool.study.text import t as tr
from studytool.textsafe import rich_text, visible

# what each card type is, as CHROME keys
TYPE_HELP = {
    CardType.BASIC: "type_basic",
    CardType.REVERSED: "type_reversed",
    CardType.CLOZE: "type_cloze",
    CardType.MCQ: "type_mcq",
    CardType.MULTI: "type_multi",
    CardType.TRUEFALSE: "type_truefalse",
    CardType.TYPED: "type_typed",
    CardType.NUMERIC: "type_numeric",
    CardType.ORDER: "type_order",
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
            lang = getattr(self.app, "lang", "en")
            before, after = tr("new_card_in", lang).split("{deck}")
            title = RichText.assemble(before, (visible(self.where), "bold"), after)
            yield Static(title, classes="dialog-title")
            yield OptionList(
                *(
                    Option(
                        RichText.assemble((f"{c.value:<10}", "bold"), tr(TYPE_HELP[c], lang)),
                        id=c.value,
                    )
                    for c in CardType
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
