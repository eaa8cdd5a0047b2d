"""The leech intervention: shown by the review when a card has lapsed too often.

A card forgotten again and again is usually a badly made card, not a lazy student: the panel
shows the whole card with its explanation and errata, and offers to rewrite it now (e), to
watch its demo (d), or to keep it in the reviews after all (k: unsuspend).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from studytool.render import card_renderable
from studytool.store.errors import StoreError
from studytool.study.leech import Leech
from studytool.study.text import t
from studytool.textsafe import visible
from studytool.tui.messages import ProgressChanged
from studytool.tui.screens import GuardedScreen
from studytool.tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp


class LeechScreen(GuardedScreen[None], ModalScreen[None]):
    """Guarded like the app's other screens: an error in a handler is a notification."""

    CSS_PATH = "leech.tcss"
    BINDINGS: ClassVar = [
        Binding("e", "edit", "Edit now", id="leech.edit"),
        Binding("d", "demo", "Demo", id="leech.demo"),
        Binding("k", "keep", "Keep reviewing", id="leech.keep"),
        Binding("escape,enter,space", "close", "Go on", id="leech.close"),
    ]

    def __init__(self, leech: Leech) -> None:
        super().__init__()
        self.leech = leech

    @property
    def study_app(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="leech-panel"):
            yield Static(self.heading(), id="leech-heading")
            with VerticalScroll(id="leech-card"):
                yield Static(self.body(), id="leech-body")
            yield KeyBar()

    def heading(self) -> Text:
        leech, lang = self.leech, self.study_app.lang
        what = t("leech_suspended" if leech.suspended else "leech_tagged", lang)
        n = leech.lapses
        return Text.assemble(
            (f"{t('leech', lang)} ", "bold reverse red"),
            "  ",
            (visible(leech.card.full_id), "bold"),
            t("leech_forgotten_1" if n == 1 else "leech_forgotten", lang, n=n, what=what),
        )

    def body(self) -> Group:
        card = self.leech.card
        lang = self.study_app.lang
        parts: list[RenderableType] = [card_renderable(card, lang, reveal=True)]
        if card.explain is None and card.errata is None:
            parts.append(Text(t("leech_no_explain", lang), style="italic"))
        parts.append(Text(t("leech_how", lang), style="dim"))
        return Group(*parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return None if self.leech.card.demo is None else True
        if action == "keep":
            return self.leech.suspended
        return True

    def action_edit(self) -> None:
        card = self.leech.card
        deck = self.study_app.deck(card.deck)
        if deck is not None:
            self.dismiss()
            self.study_app.open_editor(deck.path, card.id)

    def action_demo(self) -> None:
        card = self.leech.card
        if card.demo:
            self.study_app.action_demo(card.demo, card.full_id)

    def action_keep(self) -> None:
        store = self.study_app.store
        if store is None or not self.leech.suspended:
            return
        try:
            store.unsuspend(self.leech.card.review_keys())
        except StoreError as e:
            self.notify(str(e), severity="error")
            return
        self.app.post_message(ProgressChanged())
        self.notify(t("leech_kept", self.study_app.lang, card=self.leech.card.full_id), timeout=3)
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()
