"""The deck editor: the deck file in a YAML TextArea, validated live by the deck loader.

What is saved is the user's own text (comments, key order, quoting and line endings kept),
written atomically; Save is refused while the loader reports a problem. `$EDITOR` works too:
the buffer goes to a temporary copy, the app is suspended, and the result comes back into the
buffer and is validated (and saved when valid).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text as RichText
from textual import events, on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import LanguageDoesNotExist

from studytool.content.edit import (
    TemplateError,
    Validation,
    card_row,
    new_card,
    validate_text,
)
from studytool.content.loader import parse_deck_text
from studytool.content.model import Card, CardType, Deck
from studytool.fsio import atomic_write
from studytool.render import card_renderable
from studytool.study.text import t
from studytool.textsafe import find_control, pictures
from studytool.tui.dialogs import CardTypePicker, ChoiceDialog
from studytool.tui.messages import CardEdited
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.titlebar import TitleBar

VALIDATE_DELAY_S = 0.3
_BOM = b"\xef\xbb\xbf"
_LINE_EDITORS = {"vi", "vim", "nvim", "nano", "emacs", "emacsclient", "micro", "kak", "joe", "mg"}


# ---- the screen ----------------------------------------------------------------------------


class DeckTextArea(TextArea):
    """Tab indents; Escape is left to the screen (close) instead of moving the focus. Control
    characters in the file are drawn as visible symbols, never sent to the terminal; the text
    itself (and so the saved file) keeps them, and the loader reports them."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not any(find_control(segment.text) is not None for segment in strip):
            return strip
        # Rich counts a control character as no cell and its picture as one: crop to the width
        shown = [Segment(pictures(seg.text), seg.style, seg.control) for seg in strip]
        return Strip(shown).crop(0, strip.cell_length)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.prevent_default()  # skip TextArea's handler; the key still bubbles up


class EditorScreen(StudyScreen[None]):
    CSS_PATH = "editor.tcss"
    TITLE = "Editor"
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("ctrl+n", "new_card", "New card", id="editor.new"),
        Binding("ctrl+o", "external", "$EDITOR", id="editor.external"),
        Binding("f8", "next_problem", "Next problem", id="editor.next-problem"),
        Binding("escape", "close", "Close", id="editor.close"),
    ]

    def __init__(self, path: Path, card_id: str | None = None, new_type: str | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.card_id = card_id
        self.new_type = new_type
        self.bom = False
        self.disk_bytes: bytes | None = None  # the file as last read or written
        self.saved_text = ""
        self.saved_deck: Deck | None = None
        self.validation: Validation | None = None
        self.demos: set[str] | None = None
        self._generation = 0
        self._timer: Timer | None = None
        self._previewed: Card | None = None

    @property
    def text_area(self) -> DeckTextArea:
        return self.query_one(DeckTextArea)

    @property
    def modified(self) -> bool:
        return self.text_area.text != self.saved_text

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="editor-main"):
            yield DeckTextArea(
                "",
                id="editor-text",
                soft_wrap=True,
                tab_behavior="indent",
                show_line_numbers=True,
            )
            with Vertical(id="editor-side"):
                yield Static(id="editor-status")
                yield OptionList(id="editor-problems")
                with VerticalScroll(id="editor-preview"):
                    yield Static(id="editor-card")
        yield Footer()

    @property
    def short_path(self) -> str:
        return (
            f"{self.path.parent.name}/{self.path.name}" if self.path.parent.name else str(self.path)
        )

    @property
    def lang(self) -> str:
        return self.study_app.lang

    def on_mount(self) -> None:
        self.title = t("title_editor", self.lang)
        self.sub_title = self.short_path
        ta = self.text_area
        ta.indent_width = 2
        text = self._read()
        if text is None:
            self.call_after_refresh(self.dismiss)
            return
        with contextlib.suppress(LanguageDoesNotExist):
            ta.language = "yaml"  # highlighting is optional: plain text without tree-sitter-yaml
        ta.load_text(text)
        self.saved_text = ta.text
        if ta.text != text:
            self.notify(t("ed_line_endings", self.lang), severity="warning")
        from studytool.content.library import demo_names

        self.demos = demo_names()
        self.saved_deck = parse_deck_text(text, self.path, self.demos)[0]
        ta.focus()
        self.watch(self.app, "lang", self._lang_changed, init=False)
        if self.new_type is not None:
            self.call_after_refresh(self.add_card, self.new_type)
        else:
            self.call_after_refresh(self._go_to_card)
        self._validate_soon(0)

    def _read(self) -> str | None:
        try:
            data = self.path.read_bytes()
        except OSError as e:
            why = f"{self.path}: {e.strerror or e}"
            self.notify(why, title=t("ed_cannot_open", self.lang), severity="error")
            return None
        self.bom = data.startswith(_BOM)
        try:
            text = data.removeprefix(_BOM).decode("utf-8")
        except UnicodeDecodeError as e:
            self.notify(
                t("ed_not_utf8", self.lang, path=self.path, byte=e.start),
                title=t("ed_cannot_open", self.lang),
                severity="error",
            )
            return None
        self.disk_bytes = data
        return text

    def _go_to_card(self) -> None:
        if self.card_id is None:
            return
        row = card_row(self.text_area.text, self.card_id)
        if row is None:
            self.notify(t("ed_no_card", self.lang, card=self.card_id), severity="warning")
            return
        self.move_to(row, len(self.text_area.document.get_line(row)), top=True)

    def move_to(self, row: int, col: int, top: bool = False) -> None:
        ta = self.text_area
        row = max(0, min(row, ta.document.line_count - 1))
        col = max(0, min(col, len(ta.document.get_line(row))))
        ta.move_cursor((row, col))
        if top:
            # the card's first line near the top, with one line of context above it
            y = ta.wrapped_document.location_to_offset((row, 0)).y
            ta.scroll_to(y=max(0, y - 1), animate=False, immediate=True)
        else:
            ta.scroll_cursor_visible(center=True)
        ta.focus()

    # -- validation ------------------------------------------------------------------------

    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._update_title()
        self._validate_soon(VALIDATE_DELAY_S)

    def _update_title(self) -> None:
        self.sub_title = f"{self.short_path}{' ●' if self.modified else ''}"

    def _validate_soon(self, delay: float) -> None:
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
        if self.validation is not None and self.validation.text == self.text_area.text:
            return  # already checked (a save or $EDITOR checks at once)
        self._show_status(RichText(t("ed_checking", self.lang), style="dim"))
        generation = self._generation
        self._timer = self.set_timer(
            delay, lambda: self._validate_worker(generation, self.text_area.text)
        )

    def check(self, text: str) -> Validation:
        return validate_text(text, self.path, self.demos, self.study_app.library, self.saved_deck)

    @work(thread=True, exclusive=True, group="editor-validate", exit_on_error=False)
    def _validate_worker(self, generation: int, text: str) -> None:
        result = self.check(text)
        self.app.call_from_thread(self._validated, generation, result)

    def _validated(self, generation: int, result: Validation) -> None:
        if generation == self._generation and self.is_attached:
            self.show_validation(result)

    def show_validation(self, result: Validation) -> None:
        self.validation = result
        problems = self.query_one("#editor-problems", OptionList)
        problems.clear_options()
        for i, p in enumerate(result.problems):
            problems.add_option(
                Option(RichText.assemble((f"{p.line}:{p.col} ", "bold red"), p.message), id=f"p{i}")
            )
        for i, w in enumerate(result.warnings):
            where = f"{w.line}:{w.col} " if w.line else ""
            problems.add_option(
                Option(RichText.assemble((f"⚠ {where}", "bold yellow"), w.message), id=f"w{i}")
            )
        problems.display = problems.option_count > 0
        self._show_card()
        if result.ok:
            assert result.deck is not None
            n = len(result.deck.cards)
            cards = t("ed_card" if n == 1 else "ed_cards", self.lang, n=n)
            status = RichText.assemble((t("ed_valid", self.lang), "bold green"), f" · {cards}")
        else:
            n = len(result.problems)
            status = RichText.assemble(
                (t("ed_problem" if n == 1 else "ed_problems", self.lang, n=n), "bold red"),
                (f" · {t('ed_save_off', self.lang)}", "dim"),
            )
        self._show_status(status)

    @on(TextArea.SelectionChanged)
    def _show_card(self) -> None:
        """The card under the cursor, rendered as a review shows it (when the file is valid)."""
        target = self.query_one("#editor-card", Static)
        deck = self.validation.deck if self.validation is not None else None
        if deck is None or not deck.cards:
            self._previewed = None
            target.update("")
            return
        row = self.text_area.cursor_location[0] + 1
        card = next((c for c in reversed(deck.cards) if c.line <= row), deck.cards[0])
        if card is self._previewed:
            return
        self._previewed = card
        target.update(card_renderable(card, self.study_app.lang, reveal=True))

    def _lang_changed(self) -> None:
        self.title = t("title_editor", self.lang)
        if self.validation is not None and self.validation.text == self.text_area.text:
            self.show_validation(self.validation)  # its status line
        self._previewed = None
        self._show_card()

    def _show_status(self, text: RichText) -> None:
        self.query_one("#editor-status", Static).update(text)

    @on(OptionList.OptionSelected, "#editor-problems")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if self.validation is None or event.option.id is None:
            return
        kind, i = event.option.id[0], int(event.option.id[1:])
        p = (self.validation.problems if kind == "p" else self.validation.warnings)[i]
        if p.line:
            self.move_to(p.line - 1, p.col - 1)

    def action_next_problem(self) -> None:
        result = self.current_validation()
        if not result.problems:
            self.notify(t("ed_no_problems", self.lang))
            return
        row = self.text_area.cursor_location[0]
        after = [p for p in result.problems if p.line - 1 > row]
        p = (after or result.problems)[0]
        self.move_to(p.line - 1, p.col - 1)

    def current_validation(self) -> Validation:
        """The validation of the text as it is now (checked here if the last one is stale)."""
        text = self.text_area.text
        if self.validation is None or self.validation.text != text:
            self._generation += 1  # a running check is stale now
            if self._timer is not None:
                self._timer.stop()
            self.show_validation(self.check(text))
        assert self.validation is not None
        return self.validation

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        self.save()

    def save(self, force: bool = False, on_saved: Callable[[], object] | None = None) -> bool:
        """Save when valid. Returns False when refused (or when a question was asked first)."""
        result = self.current_validation()
        if not result.ok:
            first = result.problems[0] if result.problems else None
            detail = f"\n{first.line}:{first.col}: {first.message}" if first else ""
            self.notify(
                t("ed_not_saved", self.lang, n=len(result.problems)) + detail,
                title=t("ed_save_refused", self.lang),
                severity="error",
            )
            self.app.bell()
            return False
        if not force and self._changed_on_disk():

            def answer(choice: str | None) -> None:
                if choice == "overwrite" and self.save(force=True) and on_saved is not None:
                    on_saved()
                elif choice == "reload":
                    self._reload_from_disk()

            self.app.push_screen(
                ChoiceDialog(
                    t("ed_changed_on_disk", self.lang),
                    t("ed_changed_why", self.lang, name=self.path.name),
                    [
                        ("overwrite", t("ed_overwrite", self.lang)),
                        ("reload", t("ed_reload", self.lang)),
                        ("cancel", t("cancel", self.lang)),
                    ],
                ),
                answer,
            )
            return False
        return self._write(self.path, result, on_saved)

    def _write(self, path: Path, result: Validation, on_saved: Callable[[], object] | None) -> bool:
        data = (_BOM if self.bom else b"") + result.text.encode("utf-8")
        try:
            atomic_write(path, data)
        except PermissionError:
            self._offer_own_copy(result, on_saved)
            return False
        except OSError as e:
            self._cannot_save(path, e)
            return False
        self.path = path
        self.disk_bytes = data
        self.saved_text = result.text
        self.saved_deck = result.deck
        self._update_title()
        edited = self._card_at_cursor(result)
        self.notify(t("ed_saved", self.lang, path=path) + (f" ({edited})" if edited else ""))
        self.study_app.reload_library()
        if edited:
            self.post_message(CardEdited(edited))
        return True

    def _cannot_save(self, path: Path, error: OSError) -> None:
        why = f"{path}: {error.strerror or error}"
        self.notify(why, title=t("ed_could_not_save", self.lang), severity="error")

    def _offer_own_copy(self, result: Validation, on_saved: Callable[[], object] | None) -> None:
        """A deck that cannot be written (say, a built-in deck in a read-only install) can be
        saved into the user's own deck folder: a deck there overrides the one with its id."""
        folder = self.study_app.settings.user_decks_dir
        target = folder / self.path.name
        n = 2
        while target.exists():
            target = folder / f"{self.path.stem}-{n}{self.path.suffix}"
            n += 1

        def answer(choice: str | None) -> None:
            if choice != "copy":
                return
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                why = f"{folder}: {e.strerror or e}"
                self.notify(why, title=t("ed_could_not_save", self.lang), severity="error")
                return
            if self._write(target, result, on_saved) and on_saved is not None:
                on_saved()

        self.app.push_screen(
            ChoiceDialog(
                t("ed_read_only", self.lang),
                t("ed_read_only_why", self.lang, path=self.path, target=target),
                [("copy", t("ed_save_copy", self.lang)), ("cancel", t("cancel", self.lang))],
            ),
            answer,
        )

    def _changed_on_disk(self) -> bool:
        try:
            return self.path.read_bytes() != self.disk_bytes
        except FileNotFoundError:
            return False  # deleted meanwhile: saving brings it back
        except OSError:
            return True

    def _reload_from_disk(self) -> None:
        text = self._read()
        if text is None:
            return
        row = self.text_area.cursor_location[0]
        self.text_area.load_text(text)
        self.saved_text = self.text_area.text
        self.saved_deck = parse_deck_text(text, self.path, self.demos)[0]
        self.move_to(row, 0)
        self._update_title()
        self._validate_soon(0)

    def _card_at_cursor(self, result: Validation) -> str | None:
        if result.deck is None or not result.deck.cards:
            return None
        row = self.text_area.cursor_location[0] + 1
        before = [c for c in result.deck.cards if c.line <= row]
        card = before[-1] if before else result.deck.cards[0]
        return card.full_id

    # -- new cards -------------------------------------------------------------------------

    def action_new_card(self) -> None:
        where = (
            self.saved_deck.title.get(self.study_app.lang) if self.saved_deck else self.path.name
        )
        self.app.push_screen(CardTypePicker(where), self._type_chosen)

    def _type_chosen(self, card_type: str | None) -> None:
        if card_type is not None:
            self.add_card(card_type)

    def add_card(self, card_type: str) -> None:
        ta = self.text_area
        try:
            plan = new_card(ta.text, CardType(card_type), self._known_ids(), ta.document.newline)
        except (TemplateError, ValueError) as e:
            self.notify(t("ed_cannot_add", self.lang, why=e), severity="error")
            return
        ta.insert(plan.snippet, plan.location)
        self.move_to(*plan.cursor)
        self.notify(t("ed_new_card", self.lang, type=card_type, card=plan.card_id))

    def _known_ids(self) -> set[str]:
        """Ids the store still remembers for this deck (orphans too): a new card must not
        inherit someone else's history."""
        store = self.study_app.store
        deck_id = self.saved_deck.id if self.saved_deck else None
        if store is None or deck_id is None:
            return set()
        from studytool.store.errors import StoreError

        try:
            keys = store.deck_keys(deck_id)
        except StoreError:
            return set()
        return {key.split("/", 1)[1].removesuffix("@rev") for key in keys}

    # -- $EDITOR -----------------------------------------------------------------------------

    def action_external(self) -> None:
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.notify(t("ed_set_editor", self.lang), severity="warning")
            return
        argv = shlex.split(command)
        ta = self.text_area
        row = ta.cursor_location[0]
        with tempfile.TemporaryDirectory(prefix="studytool-edit-") as tmp:
            copy = Path(tmp) / self.path.name
            copy.write_bytes(ta.text.encode("utf-8"))
            if Path(argv[0]).name in _LINE_EDITORS:
                argv.append(f"+{row + 1}")
            argv.append(str(copy))
            try:
                with self.app.suspend():
                    code = subprocess.run(argv, check=False).returncode
            except OSError as e:
                why = e.strerror or e
                self.notify(t("ed_cannot_run", self.lang, cmd=argv[0], why=why), severity="error")
                return
            except SuspendNotSupported:
                self.notify(t("ed_no_suspend", self.lang), severity="error")
                return
            try:
                new = copy.read_bytes().removeprefix(_BOM).decode("utf-8")
            except (OSError, UnicodeDecodeError) as e:
                self.notify(t("ed_read_back", self.lang, why=e), severity="error")
                return
        self.refresh()
        if code != 0:
            self.notify(t("ed_exit_status", self.lang, cmd=argv[0], code=code))
            return
        if new == ta.text:
            self.notify(t("ed_no_changes", self.lang))
            return
        ta.replace(new, (0, 0), ta.document.end)
        self.move_to(row, 0)
        result = self.current_validation()
        if result.ok:
            self.save()
        else:
            not_saved = t("ed_not_saved", self.lang, n=len(result.problems))
            self.notify(f"{not_saved} {t('ed_fix_here', self.lang)}", severity="error")

    # -- closing -----------------------------------------------------------------------------

    def action_close(self) -> None:
        if not self.modified:
            self.dismiss()
            return

        def answer(choice: str | None) -> None:
            if choice == "save":
                if self.save(on_saved=self.dismiss):
                    self.dismiss()
            elif choice == "discard":
                self.dismiss()

        self.app.push_screen(
            ChoiceDialog(
                t("ed_unsaved", self.lang),
                t("ed_save_changes_q", self.lang, name=self.path.name),
                [
                    ("save", t("save", self.lang)),
                    ("discard", t("ed_discard", self.lang)),
                    ("cancel", t("cancel", self.lang)),
                ],
            ),
            answer,
        )
