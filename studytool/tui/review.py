"""Review (and cram): one card at a time; Space shows the answer, 1-4 grade it.

Interactive cards are answered first (choices, true/false, typed, numeric, order), checked,
and a grade is proposed (wrong -> Again) that the user can change. Every grade is committed to
the store before the next card appears.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static

from studytool.content.model import Card
from studytool.content.model import Text as Bilingual
from studytool.store.errors import StoreError
from studytool.store.scheduler import Rating
from studytool.study.cardtypes import Interaction, Response, is_interactive
from studytool.study.leech import after_grade, after_undo
from studytool.study.queue import Kind, QueueFilter
from studytool.study.review import ReviewSession, propose_rating
from studytool.study.text import format_interval, t
from studytool.tui.leech import LeechScreen
from studytool.tui.messages import ProgressChanged
from studytool.tui.screens import StudyScreen
from studytool.tui.summary import SummaryScreen
from studytool.tui.widgets.answer import CHOICE_KEYS, Attempt
from studytool.tui.widgets.card_view import CardDisplay, CardView
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp

# the label keys (study.text) of the grades; the English label names the button's class
RATING_LABELS = {
    Rating.Again: "again",
    Rating.Hard: "hard",
    Rating.Good: "good",
    Rating.Easy: "easy",
}
KIND_STYLE = {Kind.NEW: "blue", Kind.LEARNING: "red", Kind.REVIEW: "green", Kind.CRAM: "magenta"}


def _choice_bindings() -> list[Binding]:
    out = [
        Binding(str(i + 1), f"pick({i})", "Pick a choice", show=False, id=f"review.choice-{i + 1}")
        for i in range(9)
    ]
    out += [
        Binding(c, f"pick({i})", "Pick a choice", show=False, id=f"review.choice-{c}")
        for i, c in enumerate(CHOICE_KEYS)
    ]
    return out


class ReviewScreen(StudyScreen[None]):
    CSS_PATH = "review.tcss"
    AUTO_FOCUS = ""  # focus goes to the answer box only when the card takes typing
    TITLE_TEXT = "Review"
    HELP = "help.review"  # a CHROME key: the help screen shows it in the app's language
    # grade keys are checked before choice keys: check_action enables one set at a time
    BINDINGS = [
        Binding("space", "reveal", "Show answer", id="review.show"),
        Binding("1", "grade(1)", "Again", id="review.again"),
        Binding("2", "grade(2)", "Hard", id="review.hard"),
        Binding("3", "grade(3)", "Good", id="review.good"),
        Binding("4", "grade(4)", "Easy", id="review.easy"),
        Binding("enter", "confirm", "Check / grade", id="review.confirm"),
        *_choice_bindings(),
        Binding("t", "answer_bool(1)", "True", id="review.true"),
        Binding("f", "answer_bool(0)", "False", id="review.false"),
        Binding("up", "order_move_cursor(-1)", "Up", show=False, id="review.order-up"),
        Binding("down", "order_move_cursor(1)", "Down", show=False, id="review.order-down"),
        Binding("shift+up,left_square_bracket", "order_move(-1)", "Move up", id="review.move-up"),
        Binding(
            "shift+down,right_square_bracket", "order_move(1)", "Move down", id="review.move-down"
        ),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("d", "demo", "Demo", id="review.demo"),
        Binding("r", "raw_formula", "Raw LaTeX", id="review.raw-latex"),
        Binding("s", "suspend", "Suspend", id="review.suspend"),
        Binding("b", "bury", "Bury", id="review.bury"),
        Binding("escape,q", "finish", "End", id="review.end"),
        Binding("pageup", "scroll(-1)", "Scroll up", show=False, id="review.page-up"),
        Binding("pagedown", "scroll(1)", "Scroll down", show=False, id="review.page-down"),
    ]

    def __init__(self, session: ReviewSession, *, title: Bilingual) -> None:
        super().__init__()
        self.session = session
        self.heading = title  # in both languages: `l` switches it
        self.display_state: CardDisplay | None = None
        self.proposed: Rating | None = Rating.Good  # None: not answered, nothing proposed
        self.revealed = False

    # ---- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="status")
        with VerticalScroll(id="card-scroll", can_focus=False):
            yield CardView(input_id="response", id="card")
        with Horizontal(id="grades"):
            for rating, key in RATING_LABELS.items():
                button = Button(t(key, "en"), id=f"grade-{int(rating)}", classes=f"grade-{key}")
                button.can_focus = False
                yield button
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = self.heading.get(self.study_app.lang)
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.follow(self.study_app.library_changed, self._content_changed)
        self.follow(self.study_app.card_edited, self._content_changed)
        self.show_current()

    def _lang_changed(self, lang: str) -> None:
        self.title = self.heading.get(lang)
        if self.display_state is not None:
            self.display_state.lang = lang
            self.redraw()

    # ---- showing a card ------------------------------------------------------------------

    @property
    def card(self) -> Card | None:
        return self.display_state.card if self.display_state else None

    def show_current(self) -> None:
        """Draw the session's current card, question side; or end when there is none."""
        current = self.session.current
        if current is None:
            self.action_finish()
            return
        attempt = Attempt.start(current.question)
        self.display_state = CardDisplay(attempt, lang=self.study_app.lang)
        self.proposed = Rating.Good
        self.revealed = False
        self.query_one("#card", CardView).answer_view.start(attempt)
        self.query_one("#card-scroll", VerticalScroll).scroll_home(animate=False)
        self.redraw()

    def redraw(self) -> None:
        state = self.display_state
        if state is None:
            return
        state.revealed = self.revealed
        self.query_one("#card", CardView).show(state)
        self.update_status()
        self.update_grades()
        self.refresh_bindings()

    def update_status(self) -> None:
        current = self.session.current
        if current is None:
            return
        item = current.item
        done = len(self.session.answers)
        left = self.session.remaining()
        lang = self.study_app.lang
        status = Text.assemble(
            (f" {item.kind.value} ", f"bold reverse {KIND_STYLE[item.kind]}"),
            "  ",
            (item.card.full_id, "bold"),
            (f"  ·  {item.card.type.value}", "dim"),
            (f"  ·  {t('left_done', lang, left=left, done=done)}", ""),
        )
        if self.session.cram:
            status.append(f"  ·  {t('cram_note', lang)}", style="magenta")
        self.query_one("#status", Static).update(status)

    def update_grades(self) -> None:
        grades = self.query_one("#grades", Horizontal)
        grades.display = self.revealed
        if not self.revealed:
            return
        try:
            preview = self.session.preview()
        except StoreError as e:
            self.notify(str(e), severity="error")
            preview = None
        lang = self.study_app.lang
        for rating, key in RATING_LABELS.items():
            button = self.query_one(f"#grade-{int(rating)}", Button)
            when = format_interval(preview[rating]) if preview else t("no_change", lang)
            button.label = Text.assemble(
                (f"{int(rating)} ", "bold"), t(key, lang), (f"  {when}", "")
            )
            button.set_class(rating == self.proposed, "-proposed")

    # ---- which keys apply now ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.display_state
        if state is None:
            return action in ("finish",)
        card, interaction = state.card, state.attempt.interaction
        answering = not self.revealed
        match action:
            case "reveal":
                return answering
            case "grade":
                return self.revealed
            case "pick":
                index = cast(int, parameters[0])
                choosing = interaction in (Interaction.PICK, Interaction.TOGGLE)
                return answering and choosing and index < len(card.choices)
            case "answer_bool":
                return answering and interaction is Interaction.BOOL
            case "order_move_cursor" | "order_move":
                return answering and interaction is Interaction.ARRANGE
            case "confirm":
                return self.revealed or interaction in (Interaction.TOGGLE, Interaction.ARRANGE)
            case "undo":
                return bool(self.session.answers)
            case "demo":
                return True  # without a demo, d says so
            case "raw_formula":
                return None if card.formula is None and card.given is None else True
        return True

    # ---- answering -----------------------------------------------------------------------

    def action_reveal(self) -> None:
        """Show the answer. An interactive card revealed without an answer is not answered
        (not wrong): no grade is proposed, the user grades it."""
        state = self.display_state
        if state is None or self.revealed:
            return
        if is_interactive(state.card):
            self.check_answer(state.attempt.current())
        else:
            self._reveal()

    def _reveal(self) -> None:
        self.query_one("#card", CardView).answer_view.close()
        self.set_focus(None)
        self.revealed = True
        self.redraw()

    def check_answer(self, response: Response | None) -> None:
        """Check an answer, propose a grade, and show the answer."""
        state = self.display_state
        if state is None:
            return
        check = state.attempt.submit(response)
        self.proposed = None if check is None else propose_rating(check)
        self._reveal()

    def action_pick(self, index: int) -> None:
        state = self.display_state
        if state is None or self.revealed or index >= len(state.attempt.question.options):
            return
        state.attempt.pick(index)
        if state.attempt.interaction is Interaction.PICK:
            self.check_answer(index)
        else:
            self.redraw()

    def action_answer_bool(self, value: int) -> None:
        state = self.display_state
        if state is None or self.revealed or state.attempt.interaction is not Interaction.BOOL:
            return
        self.check_answer(bool(value))

    def _arranging(self) -> Attempt | None:
        state = self.display_state
        if state is None or self.revealed or state.attempt.interaction is not Interaction.ARRANGE:
            return None
        return state.attempt

    def action_order_move_cursor(self, step: int) -> None:
        if attempt := self._arranging():
            attempt.move_cursor(step)
            self.redraw()

    def action_order_select(self, position: int) -> None:
        if attempt := self._arranging():
            attempt.select(position)
            self.redraw()

    def action_order_move(self, step: int) -> None:
        if attempt := self._arranging():
            attempt.move(step)
            self.redraw()

    @on(Input.Submitted, "#response")
    def _submitted(self, event: Input.Submitted) -> None:
        state = self.display_state
        if state is None or self.revealed or state.attempt.interaction is not Interaction.INPUT:
            return
        state.attempt.text = event.value.strip()
        self.check_answer(state.attempt.text)  # empty: not answered, the answer is shown

    def action_confirm(self) -> None:
        state = self.display_state
        if self.revealed:
            if self.proposed is None:
                self.notify(t("grade_yourself", self.study_app.lang), timeout=3)
            else:
                self.action_grade(int(self.proposed))
        elif state is not None and state.attempt.interaction in (
            Interaction.TOGGLE,
            Interaction.ARRANGE,
        ):
            self.check_answer(state.attempt.current())

    # ---- grading -------------------------------------------------------------------------

    def action_grade(self, rating: int) -> None:
        state = self.display_state
        if state is None or not self.revealed:
            return
        attempt = state.attempt
        correct = None if attempt.check is None else attempt.check.correct
        try:
            answer = self.session.grade(rating, correct=correct, response=attempt.response)
            leech = after_grade(self.session.store, answer.item.card, answer.result)
            self.session.next()
        except StoreError as e:
            lang = self.study_app.lang
            self.notify(t("not_saved_why", lang, why=e), title=t("grade", lang), severity="error")
            return
        self.post_message(ProgressChanged())
        self.show_current()
        if leech is not None:
            self.app.push_screen(LeechScreen(leech))

    @on(Button.Pressed, "#grades Button")
    def _grade_button(self, event: Button.Pressed) -> None:
        self.action_grade(int((event.button.id or "grade-3").removeprefix("grade-")))

    def action_undo(self) -> None:
        last = self.session.answers[-1] if self.session.answers else None
        try:
            showing = self.session.undo()
            if showing is not None and last is not None:
                after_undo(self.session.store, last.item.card, last.result)
        except StoreError as e:
            self.notify(t("cannot_undo", self.study_app.lang, why=e), severity="error")
            return
        lang = self.study_app.lang
        if showing is None:
            self.notify(t("nothing_to_undo", lang))
            return
        self.notify(t("undid", lang, card=showing.item.card.full_id), timeout=3)
        self.post_message(ProgressChanged())
        self.show_current()

    def action_suspend(self) -> None:
        self._hide("suspend")

    def action_bury(self) -> None:
        self._hide("bury")

    def _hide(self, how: str) -> None:
        card = self.card
        if card is None:
            return
        try:
            self.session.suspend() if how == "suspend" else self.session.bury()
        except StoreError as e:
            self.notify(str(e), severity="error")
            return
        done = "review_suspended" if how == "suspend" else "review_buried"
        self.notify(t(done, self.study_app.lang, card=card.full_id), timeout=3)
        self.post_message(ProgressChanged())
        self.show_current()

    # ---- other keys ----------------------------------------------------------------------

    def action_raw_formula(self) -> None:
        # toggles how formulas are drawn; the answer's formula still waits for the reveal
        if self.display_state is not None and self.card and (self.card.formula or self.card.given):
            self.display_state.raw_formula = not self.display_state.raw_formula
            self.redraw()

    def action_demo(self) -> None:
        if self.card is not None and self.card.demo:
            self.study_app.action_demo(self.card.demo, self.card.full_id)
        elif self.card is not None:
            self.notify(t("no_demo", self.study_app.lang, card=self.card.full_id), timeout=3)

    def action_edit(self) -> None:
        card = self.card
        deck = self.study_app.deck(card.deck) if card else None
        if card is None or deck is None:
            return
        self.study_app.open_editor(deck.path, card.id)

    def action_scroll(self, pages: int) -> None:
        scroll = self.query_one("#card-scroll", VerticalScroll)
        scroll.scroll_page_down() if pages > 0 else scroll.scroll_page_up()

    def action_finish(self) -> None:
        """End the session and show its summary."""
        try:
            summary = self.session.finish(count_tomorrow=False)
        except StoreError as e:
            self.notify(str(e), severity="error")
            self.dismiss()
            return
        self.post_message(ProgressChanged())
        self.app.switch_screen(SummaryScreen(summary, self.session.due_tomorrow))

    def on_unmount(self) -> None:
        # left without the summary (Home from the palette, quitting): still close the session
        with contextlib.suppress(StoreError):
            self.session.end()

    def on_key(self, event: events.Key) -> None:
        # Escape in the answer box leaves the box rather than the session
        if event.key == "escape" and isinstance(self.focused, Input):
            self.set_focus(None)
            event.stop()
            event.prevent_default()

    # ---- content changes -----------------------------------------------------------------

    def _content_changed(self) -> None:
        """An edited card shows its new text; the session and its grades carry on. Under the
        editor, the screen catches up when it is shown again (`follow`)."""
        self.session.replace_cards(self.study_app.all_cards())
        if self.session.current is None:
            self.action_finish()
            return
        revealed = self.revealed
        attempt = self.display_state.attempt if self.display_state else None
        self.show_current()
        state = self.display_state
        if revealed and attempt is not None and state is not None:
            # the answer given stays, shown against the edited card (its rows only when the
            # card still has as many choices or items)
            fresh = state.attempt
            same = len(fresh.question.options) == len(attempt.question.options)
            state.attempt = (
                replace(attempt, question=fresh.question)
                if same
                else replace(fresh, response=attempt.response, check=attempt.check)
            )
            self._reveal()


def start_review(app: StudyApp, deck: str | None, *, cram: bool) -> ReviewScreen | None:
    """A review screen for today's queue (or a cram over the deck), or None after telling the
    user there is nothing to review."""
    store = app.store
    if store is None:
        return None
    found = app.deck(deck) if deck else None
    deck_title = found.title if found is not None else None
    title_deck = deck_title.get(app.lang) if deck_title is not None else t("all_decks", app.lang)
    try:
        session = ReviewSession(
            store,
            app.all_cards(),
            app.clock,
            QueueFilter.of(decks=[deck] if deck else []),
            cram=cram,
        )
    except StoreError as e:
        app.notify(str(e), title=t("review", app.lang), severity="error")
        return None
    if session.current is None:
        summary = session.finish()
        n = summary.due_tomorrow
        tomorrow = " " + t("n_due_tomorrow", app.lang, n=n) if n else ""
        app.notify(
            t("nothing_to_review", app.lang, deck=title_deck) + tomorrow,
            title=t("all_done", app.lang),
        )
        return None
    key = "title_cram" if cram else "title_review"

    def heading(lang: str) -> str:
        deck = deck_title.get(lang) if deck_title is not None else t("all_decks", lang)
        return t(key, lang, deck=deck)

    return ReviewScreen(session, title=Bilingual(heading("en"), heading("ko")))
