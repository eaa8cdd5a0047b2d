"""The screens' own words (grades, results, stats, demos, panel titles) follow `l` into
Korean, and the keys that switch or undo never steal what is typed into an answer box."""

from __future__ import annotations

import re
from pathlib import Path

from kit import IdleRunner, make_app, settle, text_of
from test_review_flow import card_text, current_id, shown_at
from textual.widgets import Button, Input, Label, Static, TabbedContent

from studytool.demorun.reducer import RunView
from studytool.study.leech import Leech
from studytool.study.text import CHROME, LABELS, t
from studytool.tui.app import StudyApp
from studytool.tui.demo import DemoScreen
from studytool.tui.leech import LeechScreen
from studytool.tui.quiz import QuizSetupScreen
from studytool.tui.quiz_screen import QuizScreen
from studytool.tui.review import ReviewScreen
from studytool.tui.settings import SettingsScreen
from studytool.tui.stats import StatsScreen, stats_table
from studytool.tui.summary import SummaryScreen
from studytool.tui.widgets.demo_output import verdict_view
from studytool.tui.widgets.keybar import KeyBar


def test_every_label_has_both_languages_with_the_same_placeholders() -> None:
    assert LABELS["en"].keys() == LABELS["ko"].keys()
    for key, (en, ko) in CHROME.items():
        assert en and ko, key
        assert set(re.findall(r"\{\w+\}", en)) == set(re.findall(r"\{\w+\}", ko)), key
    assert t("left_done", "ko", left=3, done=1) == "3장 남음 · 1장 완료"
    assert t("answer", "xx") == "Answer"  # an unknown language reads English


def key_bar(app: StudyApp) -> str:
    return app.screen.query_one(KeyBar).keys_content(app.screen).plain


async def test_l_switches_the_review_chrome(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert [str(w.border_title) for w in app.screen.query("#decks, #actions")] == [
            "Decks",
            "Actions",
        ]
        await pilot.press("l")
        assert [str(w.border_title) for w in app.screen.query("#decks, #actions")] == ["덱", "동작"]
        await pilot.press("l")
        app.action_review("quizzes")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "Show answer" in key_bar(app)
        await pilot.press("abcde"[shown_at(app, right=True)[0]])  # the mcq, right
        assert "✓ Correct" in card_text(app)
        assert "Good" in str(screen.query_one("#grade-3", Button).label)
        await pilot.press("l")
        assert app.lang == "ko"
        assert "✓ 정답" in card_text(app)
        assert "좋음" in str(screen.query_one("#grade-3", Button).label)
        assert "남음" in str(screen.query_one("#status", Static).content)
        bar = key_bar(app)
        assert "다시" in bar and "확인 / 평가" in bar and "Again" not in bar
        await pilot.press("enter")
        picks = [shown_at(app, right=True)[0], shown_at(app, right=False)[0]]
        await pilot.press(*(str(p + 1) for p in picks), "enter")  # the multi card, partly wrong
        assert "✗ 오답" in card_text(app)
        await pilot.press("l")
        assert "✗ Wrong" in card_text(app) and "Again" in key_bar(app)


async def test_typed_answers_keep_l_u_and_the_other_keys(tmp_path: Path) -> None:
    """In the answer box every letter is text: `l` does not switch the language, `u` does
    not undo, `d` opens no demo."""
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        app.action_review("quizzes")
        await pilot.pause()
        await pilot.press("abcde"[shown_at(app, right=True)[0]], "enter")
        await pilot.press("1", "3", "enter", "2", "f", "4")
        assert current_id(app) == "bagging"
        box = app.screen.query_one("#response", Input)
        assert box.has_focus
        await pilot.press(*"lubdes", "1", "q")
        assert box.value == "lubdes1q"
        assert app.lang == "en" and current_id(app) == "bagging"
        assert isinstance(app.screen, ReviewScreen) and len(app.screen.session.answers) == 3
        box.value = ""
        await pilot.press("enter")  # nothing typed: the answer is shown, not answered
        await pilot.press("1", "l", "u", "l")  # graded; numeric card: type, then the same keys
        assert current_id(app) == "momentum-limit"
        assert app.screen.query_one("#response", Input).value == "lul" and app.lang == "en"


async def test_d_without_a_demo_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        app.action_review("quizzes")
        await pilot.pause()
        await pilot.press("a", "d")  # answered: d is the demo key again
        assert isinstance(app.screen, ReviewScreen)
        assert any("has no demo" in str(n.message) for n in app._notifications)


async def test_stats_and_quiz_chrome_in_korean(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is not None
        await pilot.press("l")
        await pilot.pause()
        assert screen.title == "통계"
        assert "오늘 복습" in text_of(stats_table(screen.stats, "ko"))
        assert "오늘 복습" in text_of(screen.query_one("#numbers", Static).content)
        tab = screen.query_one("#plots", TabbedContent).get_tab("forecast")
        assert str(tab.label) == "복습 예정 · 30일"
        assert "기억률" in key_bar(app)
        await pilot.press("escape")
        app.push_screen(QuizSetupScreen(deck="quizzes"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert "문제 1/" in str(quiz.query_one("#quiz-status", Static).content)
        assert "퀴즈 끝내기" in key_bar(app)  # the quiz's key bar too


async def test_demo_labels_in_korean(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(StudyApp, "demo_runner", property(lambda _app: IdleRunner()))
    app = make_app(tmp_path / "data", open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        app.action_demo("resnet")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DemoScreen)
        assert "Claim" in text_of(screen.query_one("#about", Static).content)
        await pilot.press("l")
        assert "주장" in text_of(screen.query_one("#about", Static).content)
        assert screen.title == "데모" and "실행" in key_bar(app)
        assert "r 또는 Enter" in text_of(screen.query_one("#status", Static).content)
    run = RunView(verdict={"claim_holds": True, "numbers": {}, "summary": "", "seconds": 1.0})
    view = verdict_view(run, "ko")
    assert view is not None and view.title == "결과" and "주장 성립" in text_of(view.body)
    run = RunView(
        verdict={"status": "does_not_apply", "reason": "r", "caveats": ["c"], "seconds": 1.0}
    )
    view = verdict_view(run, "ko")
    shown = text_of(view.body) if view is not None else ""
    assert "주장 적용 안 됨" in shown and "적용 안 됨: r" in shown and "주의: c" in shown


async def test_the_review_summary_in_korean(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        app.action_review("quizzes")
        await pilot.pause()
        await pilot.press("abcde"[shown_at(app, right=True)[0]], "enter", "escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SummaryScreen) and screen.title == "학습 요약"
        table = text_of(screen.query_one("#summary-table", Static).content)
        assert "복습한 카드" in table and "좋음 1" in table and "내일 복습" in table
        await pilot.press("l")
        table = text_of(screen.query_one("#summary-table", Static).content)
        assert "Cards reviewed" in table and "Good 1" in table


async def test_not_answered_in_korean(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        app.action_review("quizzes")
        await pilot.pause()
        await pilot.press("space", "enter")  # shown without an answer, then Enter
        assert "답하지 않음: 직접 평가하세요 (1-4)" in card_text(app)
        assert any("1-4로 직접 평가" in str(n.message) for n in app._notifications)


async def test_the_settings_screen_and_its_refusals_follow_l(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen) and screen.title == "설정"

        def label(name: str) -> str:
            return str(screen.query_one(f"#label-{name}", Label).content)

        assert label("new-per-day") == "하루 새 카드 (모든 덱)"
        assert str(screen.query_one("#settings-save", Button).label) == "저장"
        assert "저장" in key_bar(app) and "뒤로" in key_bar(app)
        screen.query_one("#retention", Input).value = "1.5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(screen.query_one("#settings-status", Static).content)
        assert "목표 기억률: 0.7에서 0.99 사이" in status
        screen.set_focus(None)
        await pilot.press("l")
        assert label("reviews-per-day") == "Reviews a day" and screen.title == "Settings"
        assert "Back" in key_bar(app)
        assert "0.7에서" in text_of(screen.query_one("#settings-status", Static).content)


async def test_the_leech_panel_in_korean(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        card = next(c for d in app.library.decks for c in d.cards if c.id == "sgd-update")
        app.push_screen(LeechScreen(Leech(card.full_id, card, 8, True)))
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, LeechScreen)
        heading = text_of(panel.query_one("#leech-heading", Static).content)
        assert "거머리 카드" in heading and "8번 잊음, 보류됨" in heading
        assert "복습에 남기기 (k)" in text_of(panel.query_one("#leech-body", Static).content)
        assert "지금 편집" in key_bar(app)
