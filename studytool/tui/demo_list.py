"""The list of every demo of the catalogue, filtered as you type; Enter opens one."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from studytool.demorun import catalog
from studytool.demorun.runner import DemoRunner
from studytool.study.text import t
from studytool.tui.demo import DemoScreen, app_lang, app_runner, demo_title
from studytool.tui.screens import GuardedScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar


def _matches(meta: catalog.DemoMeta, words: list[str]) -> bool:
    text = " ".join((meta.name, meta.title_en, meta.title_ko, meta.concept, meta.claim)).casefold()
    return all(w in text for w in words)


class DemoListScreen(GuardedScreen[None]):
    CSS_PATH = "demo.tcss"
    AUTO_FOCUS = "#demo-filter"
    TITLE_TEXT = "Demos"
    HELP = "help.demos"  # a CHROME key: the help screen shows it in the app's language
    BINDINGS: ClassVar = [
        Binding("escape", "close", "Back", id="demos.back"),
        Binding("down", "move(1)", "Next", show=False, id="demos.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="demos.previous"),
    ]

    def __init__(
        self, *, runner: DemoRunner | None = None, package_dir: Path | None = None
    ) -> None:
        super().__init__()
        self._runner = runner
        self.package_dir = package_dir
        self.demos = catalog.list_demos(package_dir)
        self.shown: list[catalog.DemoMeta] = []

    @property
    def runner(self) -> DemoRunner:
        if self._runner is None:
            self._runner = app_runner(self.app)
        return self._runner

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="demo-list-box"):
            yield Input(placeholder=t("demos_filter", app_lang(self)), id="demo-filter")
            yield OptionList(id="demo-list")
        yield KeyBar()

    def on_mount(self) -> None:
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", self._lang_changed, init=False)
        self.title = t("title_demos", app_lang(self))
        self.fill()
        self.run_worker(self.runner.prewarm, thread=True, group="demo-prewarm", exit_on_error=False)

    def _lang_changed(self, lang: str) -> None:
        self.title = t("title_demos", lang)
        self.query_one("#demo-filter", Input).placeholder = t("demos_filter", lang)
        self.fill()

    def fill(self) -> None:
        words = self.query_one("#demo-filter", Input).value.casefold().split()
        self.shown = [m for m in self.demos if _matches(m, words)]
        options = self.query_one("#demo-list", OptionList)
        options.clear_options()
        lang = app_lang(self)
        for m in self.shown:
            prompt = Text.assemble(
                (m.name, "bold cyan"),
                "  ",
                (demo_title(m, lang), "bold"),
                "\n",
                (m.concept, "italic"),
                (" — ", "dim"),
                (m.claim, "dim"),
            )
            options.add_option(Option(prompt, id=m.name))
        if self.shown:
            options.highlighted = 0
        box = self.query_one("#demo-list-box")
        box.border_title = t("demos_count", lang, shown=len(self.shown), all=len(self.demos))
        box.border_subtitle = t("demos_hint" if self.shown else "demos_none", lang)

    @on(Input.Changed, "#demo-filter")
    def _filter_changed(self) -> None:
        self.fill()

    @on(Input.Submitted, "#demo-filter")
    def _filter_submitted(self) -> None:
        options = self.query_one("#demo-list", OptionList)
        if options.highlighted is not None and self.shown:
            self.open(self.shown[options.highlighted].name)

    @on(OptionList.OptionSelected, "#demo-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open(event.option.id)

    def open(self, name: str) -> None:
        self.app.push_screen(DemoScreen(name, runner=self.runner, package_dir=self.package_dir))

    def action_move(self, delta: int) -> None:
        options = self.query_one("#demo-list", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss()
