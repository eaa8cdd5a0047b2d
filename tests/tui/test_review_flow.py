"""Reviewing with keys: five card types, a changed proposal, undo, and the store afterwards."""

from __future__ import annotations

import shutil
from pathlib import Path

from kit import DECKS, make_app, settle, text_of
from rich.console import Group
from textual.pilot import Pilot
from textual.widgets import Button, Input

from studytool.store.scheduler import Rating
from studytool.study.text import format_interval
from studytool.tui.app import StudyApp
from studytool.tui.review import ReviewScreen
from studytool.tui.summary import SummaryScreen
from studytool.tui.widgets.answer import answer_rows
from studytool.tui.widgets.card_view import CardView, answer_part, question_part


def revlog(app: StudyApp) -> list[tuple[str, int, str]]:
    return [
        tuple(row)
        for row in app.store._read(
            "SELECT c.key, r.rating, r.mode FROM revlog r JOIN cards c ON c.id = r.card_id"
            " ORDER BY r.id"
        )
    ]


def card_text(app: StudyApp) -> str:
    """What the card view shows, as plain text."""
    state = app.screen.query_one("#card", CardView).display_state
    parts = (*answer_rows(state.attempt, state.lang, state.revealed), *answer_part(state))
    return text_of(Group(question_part(state), *parts))


def current_id(app: StudyApp) -> str:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen.card.id if screen.card else ""


def shown_at(app: StudyApp, right: bool) -> list[int]:
    """Positions (0-based, as shown: choices are shuffled) of the right or the wrong choices."""
    screen = app.screen
    assert isinstance(screen, ReviewScreen) and screen.display_state is not None
    question = screen.display_state.attempt.question
    rights = question.right_options
    return [p for p in range(len(question.options)) if (p in rights) is right]


async def type_answer(pilot: Pilot, text: str) -> None:
    response = pilot.app.screen.query_one("#response", Input)
    assert response.has_focus
    response.value = text
    await pilot.press("enter")


async def test_review_five_types_undo_one_and_check_the_store(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.action_review("quizzes")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)

        # mcq: the letter of the right choice as shown: Good is proposed, Enter takes it
        assert current_id(app) == "blur-kernel"
        await pilot.press("abcde"[shown_at(app, right=True)[0]])
        assert "✓ Correct" in card_text(app)
        assert app.screen.query_one("#grade-3", Button).has_class("-proposed")
        await pilot.press("enter")

        # multi: toggle one right and one wrong choice: Again proposed; the user picks Hard
        assert current_id(app) == "conv-effects"
        picks = [shown_at(app, right=True)[0], shown_at(app, right=False)[0]]
        await pilot.press(*(str(p + 1) for p in picks), "enter")
        assert "✗ Wrong" in card_text(app)
        assert app.screen.query_one("#grade-1", Button).has_class("-proposed")
        await pilot.press("2")

        # truefalse: f is right; the user grades Easy
        assert current_id(app) == "conv-flip"
        await pilot.press("f")
        assert "✓ Correct" in card_text(app)
        assert "Your note said" in card_text(app)  # the errata, after the answer
        await pilot.press("4")

        # typed: the Korean answer is accepted too
        assert current_id(app) == "bagging"
        await type_answer(pilot, "배깅")
        assert "✓ Correct" in card_text(app)
        await pilot.press("enter")

        # numeric: a wrong number proposes Again, which is taken
        assert current_id(app) == "momentum-limit"
        await type_answer(pilot, "9")
        assert "✗ Wrong" in card_text(app) and "Answer: 10" in card_text(app)
        await pilot.press("enter")
        assert [r[1] for r in revlog(app)] == [3, 2, 4, 3, 1]

        # undo: back to the numeric card, its grade gone from the log; answer it again
        assert current_id(app) == "joint-params"
        await pilot.press("escape")  # leave the answer box first
        await pilot.press("u")
        assert current_id(app) == "momentum-limit"
        assert len(revlog(app)) == 4
        record = app.store.card("quizzes/momentum-limit")
        assert record is not None and record.state.is_new
        await type_answer(pilot, "10")
        await pilot.press("enter")

        assert revlog(app) == [
            ("quizzes/blur-kernel", int(Rating.Good), "review"),
            ("quizzes/conv-effects", int(Rating.Hard), "review"),
            ("quizzes/conv-flip", int(Rating.Easy), "review"),
            ("quizzes/bagging", int(Rating.Good), "review"),
            ("quizzes/momentum-limit", int(Rating.Good), "review"),
        ]
        record = app.store.card("quizzes/momentum-limit")
        assert record is not None and not record.state.is_new


async def test_basic_card_shows_intervals_and_ends_with_a_summary(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.action_review("basics")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and current_id(app) == "sgd-update"
        assert "Answer:" not in card_text(app)
        assert not screen.query_one("#grades").display
        await pilot.press("space")
        assert "Answer: Move against the gradient" in card_text(app)
        assert "Why: The learning rate" in card_text(app)
        preview = app.store.preview("basics/sgd-update")
        for rating, delta in preview.items():
            label = str(screen.query_one(f"#grade-{int(rating)}", Button).label)
            assert format_interval(delta) in label
        await pilot.press("3")
        assert current_id(app) == "relu"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        summary = app.screen.summary
        assert summary.reviewed == 1 and summary.passed == 1
        await app.workers.wait_for_complete()  # tomorrow's count comes from a thread
        await pilot.pause()
        assert app.screen.summary.due_tomorrow == 0
        await pilot.press("enter")
        assert app.screen.__class__.__name__ == "HomeScreen"


async def test_order_card_is_arranged_with_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.action_cram("quizzes")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        while current_id(app) != "rcnn-order":
            screen.session.next()
            screen.show_current()
        state = screen.display_state
        assert state is not None
        # selection sort with the keys: bring item k to position k
        for target in range(3):
            pos = state.attempt.order.index(target)
            for _ in range(pos - state.attempt.cursor):
                await pilot.press("down")
            for _ in range(state.attempt.cursor - pos):
                await pilot.press("up")
            for _ in range(pos - target):
                await pilot.press("shift+up")
            assert state.attempt.order[target] == target
            await pilot.press("down")
        await pilot.press("enter")
        assert "✓ Correct" in card_text(app)
        await pilot.press("enter")
        assert revlog(app) == [("quizzes/rcnn-order", int(Rating.Good), "cram")]


async def test_suspend_bury_and_raw_latex(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.action_review("basics")
        await pilot.pause()
        await pilot.press("space")
        assert "Wₜ₊₁" in card_text(app)
        await pilot.press("r")
        assert "W_{t+1}" in card_text(app) and "raw LaTeX" in card_text(app)
        await pilot.press("s")
        assert app.store.card("basics/sgd-update").suspended
        assert current_id(app) == "relu"
        await pilot.press("b")
        assert app.store.card("basics/relu").is_buried(app.clock())
        assert app.store.card("basics/relu@rev").is_buried(app.clock())
        assert current_id(app) == "dropout-cloze"
        assert "[a rate]" in card_text(app) and "[...]" in card_text(app)


async def test_choices_and_grades_work_with_the_mouse(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.action_review("quizzes")
        await pilot.pause()
        assert current_id(app) == "blur-kernel"
        view = app.screen.query_one("#card", CardView)
        # the card view starts with a padding line, the question and a blank line
        await pilot.click(view, offset=(12, 3 + shown_at(app, right=True)[0]))  # the key
        assert "✓ Correct" in card_text(app)
        await pilot.click("#grade-4")
        assert revlog(app) == [("quizzes/blur-kernel", int(Rating.Easy), "review")]
        assert current_id(app) == "conv-effects"


async def test_an_edited_card_is_redrawn_and_the_session_goes_on(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    shutil.copytree(DECKS, decks)
    app = make_app(tmp_path / "data", decks=decks)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.action_review("basics")
        await pilot.pause()
        await pilot.press("space", "3")  # sgd-update graded
        assert current_id(app) == "relu"
        deck_file = decks / "basics.yaml"
        text = deck_file.read_text("utf-8")
        deck_file.write_text(text.replace('en: "ReLU"', 'en: "Rectified linear unit"'), "utf-8")
        app.reload_library()
        await pilot.pause()
        assert current_id(app) == "relu" and "Rectified linear unit" in card_text(app)
        await pilot.press("space", "3")
        assert [key for key, _, _ in revlog(app)] == ["basics/sgd-update", "basics/relu"]


def only(app: StudyApp, *keys: str) -> None:
    """Suspend every review key but these."""
    app.store.suspend([k for c in app.all_cards() for k in c.review_keys() if k not in keys])


async def test_empty_answer_is_not_answered_and_a_wrong_typed_one_shows_a_diff(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        only(app, "quizzes/bagging", "quizzes/momentum-limit")
        app.action_review("quizzes")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)

        # typed: a typo is wrong, and the diff shows the letters typed too much and missing
        assert current_id(app) == "bagging"
        await type_answer(pilot, "baging")
        text = card_text(app)
        assert "✗ Wrong" in text and "you said: baging" in text
        state = screen.display_state
        assert state is not None
        diff = next(p for p in answer_part(state) if getattr(p, "plain", "") == "  bagging")
        missing = [diff.plain[s.start : s.end] for s in diff.spans if "underline" in str(s.style)]
        assert missing == ["g"]
        await pilot.press("enter")

        # numeric: an empty Enter shows the answer as not answered: nothing is called wrong,
        # no grade is proposed, Enter does not grade; the user grades with 1-4
        assert current_id(app) == "momentum-limit"
        await type_answer(pilot, "")
        text = card_text(app)
        assert "Not answered" in text and "Wrong" not in text and "Answer: 10" in text
        assert not any(b.has_class("-proposed") for b in screen.query("#grades Button"))
        await pilot.press("enter")
        assert len(revlog(app)) == 1
        await pilot.press("2")
        assert revlog(app)[-1] == ("quizzes/momentum-limit", int(Rating.Hard), "review")
        assert screen.session.answers[-1].correct is None


async def test_cloze_reveal_highlights_what_was_blanked(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        only(app, "basics/dropout-cloze")
        app.action_review("basics")
        await pilot.pause()
        await pilot.press("space")
        state = app.screen.display_state
        answer = next(p for p in answer_part(state) if "Answer:" in getattr(p, "plain", ""))
        marked = [answer.plain[s.start : s.end] for s in answer.spans if "reverse" in str(s.style)]
        assert marked == ["p", "training"]


async def test_a_reversed_pair_is_never_shown_the_same_day(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        shown: list[str] = []
        for _ in range(2):  # two sessions on the same day
            app.action_review("basics")
            await pilot.pause()
            while isinstance(app.screen, ReviewScreen) and len(shown) < 40:
                showing = app.screen.session.current
                assert showing is not None
                shown.append(showing.item.key)
                await pilot.press("space", "1" if len(shown) % 2 else "3")
            await pilot.pause()
            if isinstance(app.screen, SummaryScreen):
                await pilot.press("enter")
                await pilot.pause()
        assert "basics/relu" in shown or "basics/relu@rev" in shown
        assert not {"basics/relu", "basics/relu@rev"} <= set(shown), shown
