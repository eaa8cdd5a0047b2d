"""The rest of the chrome follows `l` into Korean: Home's today line, actions and deck table,
screen titles, the quiz setup form, the demo list, the command palette, the help screen and
every key-bar name."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from browse_editor_kit import validated
from kit import IdleRunner, make_app, settle, text_of
from test_review_flow import shown_at
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, RadioButton, Select, Static
from textual.widgets._select import SelectCurrent

import studytool.tui
from studytool.store.quizlog import QuizTrends
from studytool.study.text import CHROME, LABELS, t
from studytool.tui.app import StudyApp
from studytool.tui.browse import BrowseScreen
from studytool.tui.commands import StudyCommands
from studytool.tui.demo_list import DemoListScreen
from studytool.tui.editor import EditorScreen
from studytool.tui.help import HelpScreen
from studytool.tui.home import HomeScreen
from studytool.tui.quiz import QuizSetupScreen
from studytool.tui.quiz_screen import QuizScreen
from studytool.tui.review import ReviewScreen
from studytool.tui.widgets.card_list import CardTable
from studytool.tui.widgets.deck_list import DeckList
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.trends import quiz_trends_table


def key_bar(app: StudyApp) -> str:
    return app.screen.query_one(KeyBar).keys_content(app.screen).plain


def test_every_chrome_key_reads_in_both_languages() -> None:
    for key in CHROME:
        en, ko = t(key, "en"), t(key, "ko")
        assert en.strip() and ko.strip(), key
        assert LABELS["en"][key] == en and LABELS["ko"][key] == ko, key


def _screens() -> list[type[Screen]]:
    for module in pkgutil.walk_packages(studytool.tui.__path__, "studytool.tui."):
        importlib.import_module(module.name)
    found: list[type[Screen]] = []
    todo: list[type] = [Screen]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("studytool.tui."):
            found.append(cls)
    return found


def test_every_shown_key_has_a_korean_name() -> None:
    """The key bar names a key from CHROME's `key.<binding id>`: a shown binding without one
    would stay English after `l`."""
    shown: list[Binding] = list(StudyApp.BINDINGS)  # type: ignore[arg-type]
    for screen in _screens():
        shown += [b for b in screen.BINDINGS if isinstance(b, Binding)]
    assert len(shown) > 40
    missing = [b.id or b.description for b in shown if b.show and f"key.{b.id}" not in CHROME]
    assert missing == []


async def test_home_follows_l(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)

        def shown(selector: str) -> str:
            return text_of(home.query_one(selector, Static).content)

        assert "Today" in shown("#today") and "Streak" in shown("#today")
        assert "Review the selected deck" in shown("#actions")
        await pilot.press("l")
        today = shown("#today")
        assert today.startswith("오늘 ") and "장 학습: 새 카드 " in today and "연속 " in today
        assert "Today" not in today and "Streak" not in today
        actions = shown("#actions")
        assert "선택한 덱 복습" in actions and "개념 데모" in actions
        assert "Statistics" not in actions
        assert home.query_one("#decks", DeckList).headers == ("덱", "새", "학습", "복습")
        heatmap = shown("#heatmap")
        assert "월" in heatmap and "적음" in heatmap and "Mon" not in heatmap
        assert "덱 " in shown("#deck-info") and "카드 " in shown("#deck-info")
        bar = key_bar(app)
        assert "모두 복습" in bar and "벼락치기" in bar and "Review all" not in bar
        await pilot.press("down")  # a deck of its own
        assert "카드 " in shown("#deck-info") and " cards: " not in shown("#deck-info")
        await pilot.press("l")
        assert shown("#today").startswith("Today ") and "Review all" in key_bar(app)


async def test_review_title_and_notices_follow_l(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        title = app.deck("quizzes").title  # type: ignore[union-attr]
        app.action_review("quizzes")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.title == f"Review · {title.en}"
        await pilot.press("l")
        assert screen.title == f"복습 · {title.ko}"
        await pilot.press("abcde"[shown_at(app, right=True)[0]], "enter", "u")  # graded, undone
        assert any("의 평가를 되돌렸습니다" in str(n.message) for n in app._notifications)
        await pilot.press("escape", "escape")
        await settle(pilot)
        app.action_cram("")
        await pilot.pause()
        assert app.screen.title == "벼락치기 · 모든 덱"


async def test_the_quiz_setup_form_follows_l(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(QuizSetupScreen(deck="quizzes"))
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, QuizSetupScreen) and setup.title == "Quiz"
        assert "Start" in key_bar(app)
        setup.query_one("#setup-n", Input).value = "0"
        await pilot.press("ctrl+s")
        assert "Questions: a number from 1 to" in text_of(
            setup.query_one("#setup-error", Static).render()
        )
        setup.set_focus(None)
        await pilot.press("l")
        assert setup.title == "퀴즈"
        assert setup.query_one("#setup-decks").border_title == "덱 (선택 없음 = 전체)"
        assert str(setup.query_one("#setup-n-label", Label).content) == "문제 수"
        assert str(setup.query_one("#setup-start", Button).label) == "퀴즈 시작 (ctrl+s)"
        assert setup.query_one("#setup-time", Input).placeholder == "없음, 또는 20m"
        modes = [str(b.label) for b in setup.query_one("#setup-feedback").query(RadioButton)]
        assert modes == ["답할 때마다", "끝에"]
        error = text_of(setup.query_one("#setup-error", Static).render())
        assert "문제 수: 1에서" in error and "Questions" not in error  # the shown error too
        bar = key_bar(app)
        assert "시작" in bar and "뒤로" in bar and "Start" not in bar
        setup.query_one("#setup-n", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        title = app.deck("quizzes").title  # type: ignore[union-attr]
        assert quiz.title == f"퀴즈 · {title.ko}"
        quiz.set_focus(None)
        await pilot.press("l")
        assert quiz.title == f"Quiz · {title.en}"


async def test_the_demo_list_follows_l(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        listing = DemoListScreen(runner=IdleRunner())
        app.push_screen(listing)
        await pilot.pause()
        box = listing.query_one("#demo-list-box")
        assert listing.title == "Demos" and str(box.border_title).startswith("Demos · ")
        listing.set_focus(None)  # in the filter box `l` is a letter
        await pilot.press("l")
        n = len(listing.demos)
        assert listing.title == "데모" and box.border_title == f"데모 · {n}개 중 {n}개"
        assert box.border_subtitle == "↑↓ 선택 · Enter 열기"
        assert listing.query_one("#demo-filter", Input).placeholder == "데모 거르기…"
        assert "뒤로" in key_bar(app)


async def test_the_palette_and_the_help_screen_in_korean(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = StudyCommands(app.screen)._commands()
        names = {name: help_text for name, _callback, help_text in commands}
        assert names["카드 찾아보기"] == "모든 카드 검색; 필터, 미리 보기, 편집"
        assert any(name.startswith("덱 벼락치기: ") for name in names)
        assert any(name.startswith("데모: ") for name in names)
        assert not any(name.startswith(("Review", "Browse", "Demo:")) for name in names)
        await pilot.press("question_mark")
        await pilot.pause()
        helper = app.screen
        assert isinstance(helper, HelpScreen)
        assert str(helper.query_one("#help-box").border_title).startswith("키 · ")
        table = helper.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["키", "동작", "Id"]
        does = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert "모두 복습" in does and "Review all" not in does
        assert "ctrl+p: 모든 동작" in text_of(helper.query_one("#help-notes", Static).content)
        await pilot.press("escape")
        app.push_screen(DemoListScreen(runner=IdleRunner()))
        await pilot.pause()
        app.screen.set_focus(None)
        await pilot.press("question_mark")
        await pilot.pause()
        notes = text_of(app.screen.query_one("#help-notes", Static).content)
        assert notes.startswith("입력해서 거르기")  # the screen's own notes


async def test_browse_follows_l(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_browse()
        await pilot.pause()
        browse = app.screen
        assert isinstance(browse, BrowseScreen) and browse.title == "Browse"
        browse.query_one("#filter-status", Select).value = "new"
        await pilot.pause()
        browse.set_focus(None)
        await pilot.press("l")
        await pilot.pause()
        assert browse.title == "찾아보기"

        def current(select_id: str) -> str:
            label = browse.query_one(f"#{select_id}").query_one(SelectCurrent).query_one(Static)
            return str(label.content)

        assert "모든 유형" in current("filter-type")  # the prompt of an empty filter
        assert browse.query_one("#filter-status", Select).value == "new"  # a filter stays
        assert current("filter-status") == "새 카드"  # shown in Korean
        header = browse.query_one(CardTable).render_line(0).text
        assert "상태" in header and "유형" in header and "Status" not in header
        assert "카드 " in text_of(browse.query_one("#browse-count", Static).content)
        preview = text_of(browse.query_one("#browse-card", Static).content)
        assert "덱 " in preview and "진도" in preview


async def test_the_demo_form_follows_l(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(StudyApp, "demo_runner", property(lambda _app: IdleRunner()))
    app = make_app(tmp_path / "data", open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        app.action_demo("resnet")
        await pilot.pause()
        screen = app.screen
        assert str(screen.query_one("#run", Button).label) == "▶ Run"
        screen.set_focus(None)
        await pilot.press("l")
        assert str(screen.query_one("#run", Button).label) == "▶ 실행"
        assert str(screen.query_one("#quick-help", Label).content) == "작고 빠른 설정"


async def test_the_editor_follows_l(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        deck = app.deck("quizzes")
        assert deck is not None
        app.open_editor(deck.path)
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, EditorScreen) and editor.title == "Editor"
        await validated(pilot, editor)
        assert "✓ valid" in str(editor.query_one("#editor-status", Static).content)
        app.lang = "ko"  # in the text area `l` is a letter
        await pilot.pause()
        assert editor.title == "편집기"
        assert "✓ 올바름 · 카드 " in str(editor.query_one("#editor-status", Static).content)
        await pilot.press("f8")
        assert any(n.message == "문제가 없습니다." for n in app._notifications)
        await pilot.press("ctrl+n")
        await pilot.pause()
        title = text_of(app.screen.query_one(".dialog-title", Static).content)
        assert title.startswith(f"{deck.title.ko}에 새 카드: 어떤 유형?")


def test_the_quiz_history_in_korean() -> None:
    empty = QuizTrends(0, None, None, [], None, [], [])
    assert "아직 퀴즈가 없습니다" in text_of(quiz_trends_table(empty, "ko"))
    trends = QuizTrends(2, 75.0, 80.0, [], None, [], [("d/c", 2, 2)])
    shown = text_of(quiz_trends_table(trends, "ko"))
    assert "평균" in shown and "가장 많이 틀림" in shown and "average" not in shown


async def test_the_review_help_names_its_choice_keys_in_korean(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_review("quizzes")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = {
            str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0]) for i in range(table.row_count)
        }
        assert "보기 고르기" in rows and "Pick a choice" not in rows
        assert rows["보기 고르기"].startswith("1 2 3")  # one row for the whole family


def test_every_screen_help_note_is_a_chrome_key_in_both_languages() -> None:
    """The help screen shows a screen's HELP in the app's language only when it is a CHROME
    key: a literal sentence would stay English after `l`."""
    import importlib
    import inspect
    import pkgutil

    import studytool.tui as tui
    from studytool.study.text import LABELS

    notes = {}
    for info in pkgutil.iter_modules(tui.__path__):
        module = importlib.import_module(f"studytool.tui.{info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and isinstance(cls.__dict__.get("HELP"), str):
                notes[cls.__qualname__] = cls.__dict__["HELP"]
    assert {"DemoScreen", "ExamScreen", "SettingsScreen", "ReviewScreen"} <= set(notes)
    for screen, key in notes.items():
        assert key in LABELS["en"], f"{screen}.HELP is not a CHROME key"
        assert LABELS["ko"][key] != LABELS["en"][key], f"{screen}.HELP has no Korean text"
