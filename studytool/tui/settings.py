"""Settings: the daily limits, the desired retention, the language and the theme.

Saving writes them to config.toml (comments and the other keys kept, `config.write_settings`)
and applies them at once: Home counts with the new limits when it is shown again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from studytool.config import ConfigError, Settings
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

LANGS = (("English", "en"), ("한국어", "ko"))
RETENTION_RANGE = (0.7, 0.99)  # as config.py accepts


@dataclass(frozen=True, slots=True)
class Choices:
    """What the form holds, checked."""

    new_per_day: int
    reviews_per_day: int
    desired_retention: float
    lang: str
    theme: str

    def config_values(self) -> dict[str, object]:
        """The config.toml keys these set (dotted: in a table)."""
        return {
            "review.new_per_day": self.new_per_day,
            "review.reviews_per_day": self.reviews_per_day,
            "scheduler.desired_retention": self.desired_retention,
            "lang": self.lang,
            "theme": self.theme,
        }

    def apply(self, settings: Settings) -> Settings:
        scheduler = replace(settings.scheduler, desired_retention=self.desired_retention)
        return replace(
            settings,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
            scheduler=scheduler,
            lang=self.lang,
            theme=self.theme,
        )


def read_form(
    new_per_day: str, reviews_per_day: str, retention: str, lang: str, theme: str
) -> Choices:
    """The form's text checked; ValueError says which field is wrong and why."""

    def count(text: str, what: str) -> int:
        try:
            n = int(text.strip())
        except ValueError:
            raise ValueError(f"{what}: a whole number, please") from None
        if n < 0:
            raise ValueError(f"{what}: not below 0")
        return n

    try:
        r = float(retention.strip())
    except ValueError:
        raise ValueError("Desired retention: a number such as 0.9") from None
    low, high = RETENTION_RANGE
    if not low <= r <= high:
        raise ValueError(f"Desired retention: between {low} and {high}")
    return Choices(
        count(new_per_day, "New cards a day"),
        count(reviews_per_day, "Reviews a day"),
        r,
        lang,
        theme,
    )


class SettingsScreen(StudyScreen[None]):
    CSS_PATH = "settings.tcss"
    TITLE_TEXT = "Settings"
    HELP = (
        "Tab moves between the fields; ctrl+s (or Save) writes config.toml and applies the "
        "settings; Escape leaves without saving."
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="settings.back"),
    ]

    def compose(self) -> ComposeResult:
        app = self.study_app
        s = app.settings
        themes = sorted(app.available_themes)
        theme = s.theme if s.theme in themes else app.theme
        yield TitleBar()
        with VerticalScroll(id="settings-form"):
            with Horizontal(classes="settings-row"):
                yield Label("New cards a day (all decks)", classes="settings-label")
                yield Input(str(s.new_per_day), id="new-per-day", type="integer")
            yield Static(
                f"and at most {s.new_per_deck} in any one deck (review.new_per_deck)",
                classes="settings-hint",
            )
            with Horizontal(classes="settings-row"):
                yield Label("Reviews a day", classes="settings-label")
                yield Input(str(s.reviews_per_day), id="reviews-per-day", type="integer")
            with Horizontal(classes="settings-row"):
                yield Label("Desired retention (0.70–0.99)", classes="settings-label")
                yield Input(str(s.scheduler.desired_retention), id="retention", type="number")
            with Horizontal(classes="settings-row"):
                yield Label("Language", classes="settings-label")
                yield Select(LANGS, value=app.lang, allow_blank=False, id="lang")
            with Horizontal(classes="settings-row"):
                yield Label("Theme", classes="settings-label")
                yield Select(((t, t) for t in themes), value=theme, allow_blank=False, id="theme")
            yield Static(self._where(), id="settings-status")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", id="settings-save", variant="primary")
                yield Button("Cancel", id="settings-cancel")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "Settings"
        # `l` switches (and saves) the language here too: the form follows it
        self.watch(self.app, "lang", self._lang_changed, init=False)

    def _lang_changed(self, lang: str) -> None:
        self.query_one("#lang", Select).value = lang

    def _where(self) -> Text:
        path = self.study_app.settings.config_path
        if path is None:
            return Text("No config file: the settings apply until you quit.", style="dim")
        return Text(f"Saved to {path}", style="dim")

    def choices(self) -> Choices:
        """The form, checked (ValueError when a field is wrong)."""
        lang = self.query_one("#lang", Select).value
        theme = self.query_one("#theme", Select).value
        return read_form(
            self.query_one("#new-per-day", Input).value,
            self.query_one("#reviews-per-day", Input).value,
            self.query_one("#retention", Input).value,
            lang if isinstance(lang, str) else self.study_app.lang,
            theme if isinstance(theme, str) else self.app.theme,
        )

    def action_save(self) -> None:
        status = self.query_one("#settings-status", Static)
        try:
            choices = self.choices()
        except ValueError as e:
            status.update(Text(str(e), style="bold red"))
            return
        try:
            app = self.study_app
            app.apply_settings(choices.apply(app.settings), choices.config_values())
        except ConfigError as e:
            status.update(Text(str(e), style="bold red"))
            return
        self.notify("Settings saved", timeout=3)
        self.app.pop_screen()

    @on(Button.Pressed, "#settings-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#settings-cancel")
    def _cancel_pressed(self) -> None:
        self.app.pop_screen()
