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
from studytool.study.text import t
from studytool.textsafe import safe_path, visible
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

LANGS = (("English", "en"), ("한국어", "ko"))
RETENTION_RANGE = (0.7, 0.99)  # as config.py accepts
# each field's label: the row of the field with this id, and the label's key (study.text)
LABELLED = (
    ("new-per-day", "set_new_label"),
    ("reviews-per-day", "set_reviews_label"),
    ("retention", "set_retention_label"),
    ("lang", "set_lang_label"),
    ("theme", "set_theme_label"),
)


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
    new_per_day: str,
    reviews_per_day: str,
    retention: str,
    lang: str,
    theme: str,
    shown_in: str = "en",
) -> Choices:
    """The form's text checked; ValueError says (in `shown_in`) which field is wrong and why."""

    def count(text: str, what: str) -> int:
        try:
            n = int(text.strip())
        except ValueError:
            raise ValueError(t("set_whole", shown_in, what=t(what, shown_in))) from None
        if n < 0:
            raise ValueError(t("set_not_negative", shown_in, what=t(what, shown_in)))
        return n

    field = t("set_retention", shown_in)
    try:
        r = float(retention.strip())
    except ValueError:
        raise ValueError(t("set_a_number", shown_in, what=field)) from None
    low, high = RETENTION_RANGE
    if not low <= r <= high:
        raise ValueError(t("set_between", shown_in, what=field, low=low, high=high))
    return Choices(
        count(new_per_day, "set_new"),
        count(reviews_per_day, "set_reviews"),
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

    refused = False  # the status line shows why the last save was refused

    def compose(self) -> ComposeResult:
        app = self.study_app
        s = app.settings
        themes = sorted(app.available_themes)
        theme = s.theme if s.theme in themes else app.theme
        fields = {
            "new-per-day": Input(str(s.new_per_day), id="new-per-day", type="integer"),
            "reviews-per-day": Input(str(s.reviews_per_day), id="reviews-per-day", type="integer"),
            "retention": Input(str(s.scheduler.desired_retention), id="retention", type="number"),
            "lang": Select(LANGS, value=app.lang, allow_blank=False, id="lang"),
            "theme": Select(((n, n) for n in themes), value=theme, allow_blank=False, id="theme"),
        }
        yield TitleBar()
        with VerticalScroll(id="settings-form"):
            for name, _key in LABELLED:
                with Horizontal(classes="settings-row"):
                    yield Label(id=f"label-{name}", classes="settings-label")
                    yield fields[name]
                if name == "new-per-day":
                    yield Static(id="new-per-deck", classes="settings-hint")
            yield Static(id="settings-status")
            with Horizontal(id="settings-buttons"):
                yield Button("", id="settings-save", variant="primary")
                yield Button("", id="settings-cancel")
        yield KeyBar()  # its key names follow `l`

    def on_mount(self) -> None:
        # `l` switches (and saves) the language here too: the form and its words follow it
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.label(self.study_app.lang)

    def _lang_changed(self, lang: str) -> None:
        self.query_one("#lang", Select).value = lang
        self.label(lang)

    def label(self, lang: str) -> None:
        """The screen's words in `lang`."""
        self.title = t("settings", lang)
        for name, key in LABELLED:
            self.query_one(f"#label-{name}", Label).update(t(key, lang))
        n = self.study_app.settings.new_per_deck
        self.query_one("#new-per-deck", Static).update(t("set_new_hint", lang, n=n))
        if not self.refused:  # a refusal stays until the next save
            self.query_one("#settings-status", Static).update(self._where(lang))
        self.query_one("#settings-save", Button).label = t("save", lang)
        self.query_one("#settings-cancel", Button).label = t("cancel", lang)

    def _where(self, lang: str) -> Text:
        path = self.study_app.settings.config_path
        if path is None:
            return Text(t("set_no_config", lang), style="dim")
        return Text(t("set_saved_to", lang, path=safe_path(path)), style="dim")

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
            self.study_app.lang,
        )

    def action_save(self) -> None:
        status = self.query_one("#settings-status", Static)
        try:
            choices = self.choices()
        except ValueError as e:
            self.refused = True
            status.update(Text(visible(str(e)), style="bold red"))
            return
        try:
            app = self.study_app
            app.apply_settings(choices.apply(app.settings), choices.config_values())
        except ConfigError as e:
            self.refused = True
            status.update(Text(visible(str(e)), style="bold red"))
            return
        self.notify(t("settings_saved", self.study_app.lang), timeout=3)
        self.app.pop_screen()

    @on(Button.Pressed, "#settings-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#settings-cancel")
    def _cancel_pressed(self) -> None:
        self.app.pop_screen()
