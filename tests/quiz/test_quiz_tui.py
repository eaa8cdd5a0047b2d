"""The quiz screens with Pilot: setup, a 5-question quiz answered with keys, results, history."""

from __future__ import annotations

from pathlib import Path

import pytest
from kit import NOW, make_app, settle, text_of
from quizkit import DECKS
from rich.console import Group
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from studytool.store import quizlog
from studytool.study.quiz import Kind, Question
from studytool.tui.quiz import QuizSetupScreen
from studytool.tui.quiz_results import QuizResultsScreen
from studytool.tui.quiz_screen import QuizScreen
from studytool.tui.widgets.answer import answer_rows
from studytool.tui.widgets.trends import quiz_trends_table


def screen_text(screen: QuizScreen) -> str:
    """The question on screen with its answer rows and feedback, as plain text."""
    attempt = screen.attempt
    assert attempt is not None
    rows = answer_rows(attempt, screen.lang, screen.feedback is not None)
    return text_of(Group(screen.render_question(), *rows, screen.render_after()))


async def start_quiz(pilot: Pilot, n: str, time_limit: str = "") -> QuizScreen:
    app = pilot.app
    app.push_screen(QuizSetupScreen(deck="five"))
    await pilot.pause()
    setup = app.screen
    assert isinstance(setup, QuizSetupScreen)
    setup.query_one("#setup-n", Input).value = n
    setup.query_one("#setup-time", Input).value = time_limit
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, QuizScreen), setup.query_one("#setup-error").render()
    return app.screen


async def answer(pilot: Pilot, q: Question, right: bool) -> None:
    """Answer the question on screen with keys, as a user would."""
    match q.kind:
        case Kind.CHOICE:
            pos = q.right_options[0] if right else (q.right_options[0] + 1) % len(q.options)
            await pilot.press("abcde"[pos])
        case Kind.MULTI:
            picks = q.right_options if right else q.right_options[:1]
            await pilot.press(*(str(p + 1) for p in picks), "enter")
        case Kind.TRUEFALSE:
            await pilot.press("t" if q.card.answer_bool == right else "f")
        case Kind.NUMERIC:
            box = pilot.app.screen.query_one("#quiz-response", Input)
            assert box.has_focus
            box.value = f"{q.answer_number:g}" if right else "-1"
            await pilot.press("enter")
        case Kind.ORDER:
            # the items are moved as on the review screen: bring item k to row k (or leave
            # the shuffled order, never the right one, for a wrong answer)
            attempt = pilot.app.screen.attempt
            for target in range(len(q.options) if right else 0):
                row = attempt.order.index(target)
                await pilot.press(*["down"] * (row - attempt.cursor))
                await pilot.press(*["up"] * (attempt.cursor - row))
                await pilot.press(*["shift+up"] * (row - target))
            await pilot.press("enter")
    await pilot.pause()


async def test_a_five_question_quiz_with_keys_then_results_and_history(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", DECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = await start_quiz(pilot, "5")
        questions = list(screen.run.questions)
        assert sorted(q.kind for q in questions) == sorted(
            [Kind.CHOICE, Kind.MULTI, Kind.TRUEFALSE, Kind.NUMERIC, Kind.ORDER]
        )
        missed = questions[2]
        for i, q in enumerate(questions):
            assert screen.run.current is q
            status = text_of(screen.query_one("#quiz-status").render())
            assert f"Question {i + 1} of 5" in status
            await answer(pilot, q, right=q is not missed)
            shown = screen_text(screen)
            if q is missed:
                assert "✗ wrong" in shown or "◐" in shown
                assert q.card.explain.en in shown  # immediate feedback explains
            else:
                assert "✓ right" in shown
            await pilot.press("enter")
            await pilot.pause()

        results = app.screen
        assert isinstance(results, QuizResultsScreen)
        score = 4 + results.result.answers[2].score
        assert f"Score {score:g} / 5" in results.score_text().plain
        table = results.query_one("#results-table", DataTable)
        assert table.row_count == 5
        assert [table.get_row_at(i)[3].plain for i in range(5)].count("✓ right") == 4
        missed_text = text_of(results.missed_renderable())
        assert missed.question("en") in missed_text and missed.card.explain.en in missed_text
        assert "m: add the missed cards to your next review" in missed_text

        store = app.store
        [record] = quizlog.history(store)
        assert record.id == results.quiz_id
        assert (record.questions, record.answered) == (5, 5)
        assert record.score == pytest.approx(score) and record.decks == ("five",)
        rows = quizlog.questions(store, record.id)
        assert [r.key for r in rows] == [q.key for q in questions]
        assert all(r.duration_ms is not None for r in rows)
        modes = store._read("SELECT mode, count(*) FROM revlog GROUP BY mode")
        assert modes == [("quiz", 5)]

        await pilot.press("m")
        await pilot.pause()
        assert quizlog.flagged_keys(store, NOW) == [missed.key]
        assert results.added and not results.check_action("add_missed", ())
        trends = text_of(quiz_trends_table(quizlog.trends(store)))
        assert "Most missed" in trends and f"{missed.key} (1/1)" in trends

        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, QuizResultsScreen)


async def test_end_feedback_timed_quiz_and_ending_early(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", DECKS, quiz_feedback="end")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = await start_quiz(pilot, "3", time_limit="2m")
        status = text_of(screen.query_one("#quiz-status").render())
        assert "Question 1 of 3" in status and "⏱ 2:00 left" in status
        first = screen.run.current
        await answer(pilot, first, right=True)
        assert screen.feedback is None and screen.run.current is not first  # no feedback
        await pilot.pause()
        # skip the second: `s`, or an empty Enter when it is a typed question with focus
        typing = screen.query_one("#quiz-response", Input).has_focus
        await pilot.press("enter" if typing else "s")
        await pilot.pause()
        assert len(screen.run.answers) == 2 and screen.run.answers[1].response is None
        if screen.query_one("#quiz-response", Input).has_focus:
            await pilot.press("escape")  # leaves the answer box first
        await pilot.press("escape")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, QuizResultsScreen)
        assert results.result.score == 1 and results.result.total == 3
        assert "Nothing missed." in text_of(results.missed_renderable())
        assert not results.check_action("add_missed", ())
        [record] = quizlog.history(app.store)
        assert (record.answered, record.questions) == (1, 3)
        assert record.settings["time_limit_s"] == 120 and record.settings["feedback"] == "end"


async def test_setup_refuses_bad_values_in_place(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", DECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.push_screen(QuizSetupScreen())
        await pilot.pause()
        setup = app.screen
        for field, value, message in [
            ("#setup-n", "0", "Questions: a number from 1 to 200."),
            ("#setup-time", "soon", "Time limit: 'soon' is not a duration"),
            ("#setup-tags", "nonexistent", "No card has the tag 'nonexistent'."),
        ]:
            setup.query_one(field, Input).value = value
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, QuizSetupScreen)
            assert message in text_of(setup.query_one("#setup-error").render())
            setup.query_one(field, Input).value = {"#setup-n": "10"}.get(field, "")


def test_trends_table_for_the_stats_screen(tmp_path: Path) -> None:
    from studytool.store.quizlog import QuizTrends, ScopeTrend

    empty = QuizTrends(0, None, None, [], None, [], [])
    assert "No quizzes yet" in text_of(quiz_trends_table(empty))
    trends = QuizTrends(
        quizzes=3,
        average=70.0,
        best=90.0,
        recent=[(NOW, 50.0), (NOW, 70.0), (NOW, 90.0)],
        change=30.0,
        scopes=[ScopeTrend("transformer", 3, 70.0, 90.0, 30.0)],
        most_missed=[("transformer/bert-acronym", 2, 3)],
    )
    shown = text_of(quiz_trends_table(trends))
    assert "3  average 70%  best 90%  last 5 vs 5 before +30 pts" in shown
    assert "▅▆█" in shown and "transformer/bert-acronym (2/3)" in shown
    assert "3 quizzes · average 70% · last 90%  +30" in shown


async def test_a_given_seed_gives_the_same_quiz(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", DECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        drawn = []
        for _ in range(2):
            app.push_screen(QuizSetupScreen(deck="five", seed=3))
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, QuizScreen) and screen.run.spec.seed == 3
            drawn.append([(q.key, q.options, q.prompt) for q in screen.run.questions])
            app.pop_screen()
            await pilot.pause()
        assert drawn[0] == drawn[1] and len(drawn[0]) == 5


async def test_i_was_right_overrules_a_wrong_answer_and_is_saved_as_right(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", DECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = await start_quiz(pilot, "5")
        questions = list(screen.run.questions)
        for q in questions:
            await answer(pilot, q, right=False)
            if q.kind == Kind.TRUEFALSE:  # the one the user says was right after all
                assert screen.check_action("overrule", ()) is True
                await pilot.press("i")
                shown = screen_text(screen)
                assert "✓ right (you said)" in shown and "I was right" not in shown
                assert screen.check_action("overrule", ()) is False
            await pilot.press("enter")
            await pilot.pause()
        results = app.screen
        assert isinstance(results, QuizResultsScreen)
        overruled = [a for a in results.result.answers if a.overruled]
        assert [a.question.kind for a in overruled] == [Kind.TRUEFALSE]
        rows = quizlog.questions(app.store, results.quiz_id)
        scores = {r.kind: r.score for r in rows}
        assert scores["truefalse"] == 1.0 and scores["choice"] == 0.0
