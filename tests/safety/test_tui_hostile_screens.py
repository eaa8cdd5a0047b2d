"""Break 1 and 2 of issue 16 in the TUI: every screen shows a hostile user deck's markup as
written, nothing it contains runs as a click action or a link, and no screen fails on it."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import cast

from hostile_kit import MARKUP, hostile_library, make_app, settle, with_controls, write_deck
from kit import IdleRunner
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets._toast import Toast

from studytool.store.quizlog import QuizTrends, ScopeTrend
from studytool.study.leech import Leech
from studytool.tui.app import StudyApp
from studytool.tui.browse import BrowseScreen
from studytool.tui.demo import DemoScreen
from studytool.tui.demo_list import DemoListScreen
from studytool.tui.dialogs import CardTypePicker
from studytool.tui.editor import EditorScreen
from studytool.tui.errors import error_log_path
from studytool.tui.home import HomeScreen
from studytool.tui.leech import LeechScreen
from studytool.tui.quiz import QuizSetupScreen
from studytool.tui.quiz_results import QuizResultsScreen
from studytool.tui.quiz_screen import QuizScreen
from studytool.tui.review import ReviewScreen
from studytool.tui.screens import GuardedScreen
from studytool.tui.stats import StatsScreen
from studytool.tui.widgets.trends import quiz_trends_table

LITERAL = ("[/b]", "[@click=app.quit]Q[/]", "[link=file:///etc/passwd]L[/link]")

DEMO = f"""
from studytool.demorun.params import DemoInfo, Param

INFO = DemoInfo(
    name="hostile", title_en="Hostile {MARKUP}", title_ko="적대 {MARKUP}",
    concept="concept {MARKUP}", claim="claim {MARKUP}",
    params=(
        Param("seed", 0, "seed {MARKUP}", min=0),
        Param("flag", True, "flag {MARKUP}"),
        Param("pick", "a", "pick {MARKUP}", choices=("a", "[/b]")),
    ),
)
"""


def screen_text(app: StudyApp) -> str:
    """What the terminal shows, as plain text (Textual's SVG export, one text run per style)."""
    runs = re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot())
    return html.unescape("".join(runs)).replace("\xa0", " ")


async def check_screen(pilot: Pilot, kind: type[Screen], *, literal: tuple[str, ...] = LITERAL):
    await settle(pilot)
    app = cast(StudyApp, pilot.app)
    assert isinstance(app.screen, kind), app.screen
    assert app.is_running
    errors = [n.message for n in app._notifications if n.severity == "error"]
    assert not errors and not error_log_path(app.settings.data_dir).exists(), errors
    shown = screen_text(app)
    for text in literal:
        assert text in shown, (kind.__name__, text, shown[:2000])
    assert "\x1b" not in shown


async def test_every_screen_shows_hostile_deck_markup_literally(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    path = write_deck(decks)
    app = make_app(tmp_path / "data", decks)
    async with app.run_test(size=(160, 50)) as pilot:
        await check_screen(pilot, HomeScreen, literal=("[/b]", "[@click=app.quit]Q"))
        await pilot.press("b")
        await check_screen(pilot, BrowseScreen)
        await pilot.press("escape")
        await settle(pilot)

        app.start_review("hostile", cram=True)
        await check_screen(pilot, ReviewScreen)
        await pilot.press("space")
        await check_screen(pilot, ReviewScreen)
        app.pop_screen()

        app.push_screen(QuizSetupScreen(deck="hostile", seed=1))
        await settle(pilot)
        cast(QuizSetupScreen, app.screen).action_start()
        await check_screen(pilot, QuizScreen, literal=("[/b]", "[@click=app.quit]Q"))
        quiz = cast(QuizScreen, app.screen)
        while quiz.run.current is not None:  # every question shown, then skipped
            await check_screen(pilot, QuizScreen, literal=("[/b]",))
            quiz.action_skip()
            await settle(pilot)
        quiz.finish()
        await check_screen(pilot, QuizResultsScreen, literal=("[/b]", "[@click=app.quit]Q"))
        app.pop_screen()

        app.push_screen(StatsScreen())
        await check_screen(pilot, StatsScreen, literal=())
        app.pop_screen()

        await pilot.press("b")
        await settle(pilot)
        cast(BrowseScreen, app.screen).action_new_card()  # the dialog names the deck
        await check_screen(pilot, CardTypePicker, literal=("T [/b]",))
        await pilot.press("escape")
        app.pop_screen()

        app.open_editor(path, card_id="basic-one")
        await check_screen(pilot, EditorScreen)
        app.pop_screen()

        demos = tmp_path / "demos"
        demos.mkdir()
        (demos / "hostile.py").write_text(DEMO, encoding="utf-8")
        runner = IdleRunner()
        app.push_screen(DemoListScreen(runner=runner, package_dir=demos))
        await check_screen(pilot, DemoListScreen, literal=("[/b]", "[@click=app.quit]Q"))
        app.push_screen(DemoScreen("hostile", runner=runner, package_dir=demos))
        await check_screen(pilot, DemoScreen, literal=("[/b]", "[@click=app.quit]Q"))


async def test_a_toast_with_a_click_action_is_inert_text(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        deck_id = f"[@click=app.screenshot('victim.svg','{tmp_path}')]x[/]"
        app.notify(f"no deck '{deck_id}'\x1b]2;t\x07", title="Deck [/b]", severity="error")
        await settle(pilot)
        content = app.screen.query_one(Toast).render()
        assert f"no deck '{deck_id}'\\x1b]2;t\\x07" in content.plain
        assert content.plain.startswith("Deck [/b]\n")
        # no span carries an action: a click on the toast cannot run one
        assert not [span for span in content.spans if "click" in str(span.style)]


async def test_control_characters_in_deck_text_are_shown_as_escapes(tmp_path: Path) -> None:
    """The loader refuses control characters, but a deck can also come from an import or the
    cache: the screens show them as escapes, never raw."""
    library = with_controls(hostile_library(tmp_path / "decks"))
    app = make_app(tmp_path / "data", tmp_path / "decks", library=library)
    async with app.run_test(size=(160, 50)) as pilot:
        await check_screen(pilot, HomeScreen, literal=("\\x1b]52",))
        await pilot.press("b")
        await check_screen(pilot, BrowseScreen, literal=("\\x1b]52",))
        await pilot.press("escape")
        await settle(pilot)
        app.start_review("hostile", cram=True)
        await check_screen(pilot, ReviewScreen, literal=("\\x1b]52",))
        app.pop_screen()
        app.push_screen(QuizSetupScreen(deck="hostile", seed=1))
        await check_screen(pilot, QuizSetupScreen, literal=("\\x1b]52",))
        cast(QuizSetupScreen, app.screen).action_start()
        await check_screen(pilot, QuizScreen, literal=("\\x1b]52",))


async def test_the_leech_panel_shows_hostile_deck_text_inertly(tmp_path: Path) -> None:
    """The panel shows the whole card with its explanation: markup as written, controls as
    escapes; it is guarded like the other screens."""
    library = with_controls(hostile_library(tmp_path / "decks"))
    app = make_app(tmp_path / "data", tmp_path / "decks", library=library)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        card = next(c for c in app.library.decks[0].cards if c.id == "basic-one")
        app.push_screen(LeechScreen(Leech(card.full_id, card, lapses=8, suspended=True)))
        await check_screen(pilot, LeechScreen, literal=(*LITERAL, "\\x1b]52"))
        assert isinstance(app.screen, GuardedScreen)


def test_quiz_history_shows_a_hostile_scope_literally() -> None:
    scope = ScopeTrend(f"T {MARKUP}", quizzes=2, average=50.0, last=50.0, change=None)
    trends = QuizTrends(2, 50.0, 50.0, [], None, [scope], [])
    console = Console(width=200, file=io.StringIO())
    console.print(quiz_trends_table(trends))
    assert f"T {MARKUP}" in cast(io.StringIO, console.file).getvalue()


async def test_the_editor_draws_control_characters_in_a_file_as_symbols(tmp_path: Path) -> None:
    path = write_deck(tmp_path / "decks")
    raw = path.read_text(encoding="utf-8") + "# \x1b]2;pwned\x07 \x9b2J\n"
    path.write_text(raw, encoding="utf-8")
    app = make_app(tmp_path / "data", tmp_path / "decks")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.open_editor(path)
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        shown = screen_text(app)
        assert "\x1b" not in shown and "\x9b" not in shown
        assert "\u241b]2;pwned" in shown and "\ufffd2J" in shown
        # the text itself is unchanged: saving writes what the file had
        assert cast(EditorScreen, app.screen).text_area.text == raw
