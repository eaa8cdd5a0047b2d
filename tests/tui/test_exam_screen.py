"""The exam plan screen: reached from the palette, planned in a thread, activated (Home then
shows the days left and the expected recall) and cleared; its words follow `l`."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from kit import fixture_cards, make_app, settle, wait_for
from textual.widgets import DataTable, Input, SelectionList

from studytool.config import ExamSettings
from studytool.tui.exam import ExamScreen
from studytool.tui.home import HomeScreen


async def test_the_exam_plan_from_the_palette(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Exam plan")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExamScreen), what="the screen")
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        await wait_for(pilot, lambda: screen.plan is not None, what="the plan")
        await pilot.pause()
        plan = screen.plan
        assert plan is not None and plan.met and plan.days_left == 14
        table = screen.query_one("#exam-days", DataTable)
        assert table.row_count == 14
        first = table.get_row_at(0)
        assert first[0] == plan.days[0].day.isoformat() and int(first[1]) == plan.days[0].new
        summary = str(screen.query_one("#exam-summary").render())
        assert (
            f"{plan.cards} cards, 14 days left" in summary and "every card reaches 90%" in summary
        )
        # a tight budget: the shortfall and the minutes that would meet it
        soon = screen.today() + timedelta(days=2)  # the study day of NOW, in local time
        screen.query_one("#exam-date", Input).value = soon.isoformat()
        screen.query_one("#exam-minutes", Input).value = "1"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.plan is not plan, what="the second plan")
        await pilot.pause()
        short = screen.plan
        assert short is not None and not short.met and short.minutes_needed is not None
        summary = str(screen.query_one("#exam-summary").render())
        assert "cards stay below 90%" in summary
        assert (
            f"{short.minutes_needed} minutes a day would meet the goal"
            f" ({short.minutes_room} with room for forgetting)." in summary
        )
        # `l`: the words in Korean
        await pilot.press("l")
        await pilot.pause()
        assert "하루" in str(screen.query_one("#exam-summary").render())
        assert str(screen.query_one("#label-exam-date").render()).startswith("시험 날짜")
        assert [str(c.label) for c in table.columns.values()] == ["날짜", "새 카드", "복습", "분"]
        await pilot.press("l")
        await pilot.pause()
        # Activate: saved, followed, and shown on Home
        await pilot.click("#exam-activate")
        await pilot.pause()
        goal = ExamSettings(soon, (), 1, 0.9)
        assert app.settings.exam == goal and app.store is not None
        assert app.store.settings.exam == goal
        assert "until" in str(screen.query_one("#exam-state").render())
        await pilot.press("escape")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        await wait_for(pilot, lambda: home.data is not None and home.data.exam is not None)
        today = str(home.query_one("#today").render())
        assert "2 days left" in today and "expected recall on the date" in today
        # Clear: the plan is gone
        app.action_exam_plan()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        await pilot.click("#exam-clear")
        await pilot.pause()
        assert app.settings.exam is None and app.store.settings.exam is None
        assert "No plan is active" in str(screen.query_one("#exam-state").render())


async def test_a_bad_date_is_refused_in_one_line(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        app.action_exam_plan()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        screen.query_one("#exam-date", Input).value = "next week"
        await pilot.press("ctrl+r")
        await pilot.pause()
        summary = str(screen.query_one("#exam-summary").render())
        assert summary == "The exam date must be a date (YYYY-MM-DD) after today."
        await pilot.click("#exam-activate")
        await pilot.pause()
        assert app.settings.exam is None


async def test_the_decks_in_scope_are_chosen_in_a_list(tmp_path: Path) -> None:
    """None chosen: every deck. Choosing one plans it alone, Activate saves it, the list
    starts from the active plan's decks, and its titles follow `l`."""
    app = make_app(tmp_path / "data")
    keys = Counter(c.deck for c in fixture_cards() if not c.draft for _ in c.review_keys())
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        app.action_exam_plan()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        await wait_for(pilot, lambda: screen.plan is not None, what="the plan")
        first = screen.plan
        assert first is not None and first.cards == keys.total()
        decks = screen.query_one("#exam-decks", SelectionList)
        assert [str(decks.get_option_at_index(i).prompt) for i in range(2)] == [
            "Basics",
            "Quiz cards",
        ]
        assert decks.border_title == "Decks in scope (none selected: all)"
        # space on the first deck: the plan is made again, for basics alone
        decks.focus()
        decks.highlighted = 0
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.plan is not first, what="the plan of basics")
        await settle(pilot)
        plan = screen.plan
        assert plan is not None and plan.cards == keys["basics"] < keys.total()
        await pilot.click("#exam-activate")
        await settle(pilot)
        exam = app.settings.exam
        assert exam is not None and exam.decks == ("basics",)
        assert app.store is not None and app.store.settings.exam == exam
        # `l`: the deck titles and the list's title in Korean
        await pilot.press("l")
        await pilot.pause()
        assert str(decks.get_option_at_index(1).prompt) == "퀴즈 카드"
        assert str(decks.border_title).startswith("범위에 넣을 덱")
        await pilot.press("l")
        await pilot.press("escape")
        await settle(pilot)
        # opened again: the active plan's deck is chosen
        app.action_exam_plan()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        assert screen.query_one("#exam-decks", SelectionList).selected == ["basics"]
        await wait_for(pilot, lambda: screen.plan is not None, what="the active plan")
        assert screen.plan is not None and screen.plan.cards == keys["basics"]
