"""`?`: the keys of the current screen, taken from its live bindings, plus its own notes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from studytool.study.text import LABELS, t
from studytool.tui.widgets.keybar import binding_description


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.target = screen
        # read now: once this modal is on top, the active bindings are its own. The binding
        # chain (focused widget up to the app, keymap applied) also has the keys that do not
        # apply at this moment: they are listed dimmed.
        active = screen.active_bindings
        self.rows: list[tuple[str, Binding, bool]] = []
        for node, bindings in screen._binding_chain:
            if node is not screen and node is not self.app:
                continue  # a focused widget's own editing keys are not the screen's
            for key, candidates in bindings.key_to_bindings.items():
                for binding in candidates:
                    if binding.system or binding.action == "command_palette":
                        continue
                    if binding.id is None and not binding.show:
                        continue  # Textual's own focus and copy keys
                    now = active.get(key)
                    enabled = now is not None and now.binding is binding and now.enabled
                    display = binding.key_display or self.app.get_key_display(binding)
                    self.rows.append((display, binding, enabled))

    def compose(self) -> ComposeResult:
        title = getattr(self.target, "TITLE_TEXT", None) or type(self.target).__name__
        # the screen's own title where it has one: it is in the app's language
        title = self.target.title or title.removesuffix("Screen")
        lang = getattr(self.app, "lang", "en")
        with Vertical(id="help-box") as box:
            box.border_title = t("help_keys_of", lang, screen=title)
            box.border_subtitle = t("help_close", lang)
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            notes = getattr(self.target, "HELP", "")
            if notes in LABELS["en"]:  # a CHROME key: the notes in the app's language
                notes = t(notes, lang)
            yield Static(
                Text(f"{notes}\n" if notes else "") + Text(t("help_palette", lang), style="dim"),
                id="help-notes",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        lang = getattr(self.app, "lang", "en")
        table.add_columns(
            *(t(key, lang) for key in ("help_col_key", "help_col_does", "help_col_id"))
        )
        # one row per meaning: keys with the same description share it ("1 2 3 … a b c")
        grouped: dict[str, tuple[list[str], Binding, bool]] = {}
        for display, binding, enabled in self.rows:
            what = binding_description(binding, lang) or binding.tooltip or binding.action
            keys, first, was_enabled = grouped.get(what, ([], binding, False))
            if display not in keys:
                keys.append(display)
            grouped[what] = (keys, first, was_enabled or enabled)
        # what applies now first, the rest dimmed below
        rows = sorted(grouped.items(), key=lambda row: not row[1][2])
        for what, (keys, binding, enabled) in rows:
            style = "" if enabled else "dim"
            table.add_row(
                Text(" ".join(keys), style=f"bold {style}"),
                Text(what, style=style),
                Text(binding.id or "", style="dim"),
            )
