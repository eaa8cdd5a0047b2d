"""`StudyScreen`: the base of the app's screens, with the typed app and change subscriptions;
`GuardedScreen`: a screen whose handlers cannot stop the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import events, on
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp

ResultT = TypeVar("ResultT")


class GuardedScreen(Screen[ResultT]):
    """A screen whose event and message handlers are guarded: an error in one is reported by
    the app (`StudyApp.report_error`: a notification naming the log) and the screen goes on.
    Left to Textual, the error would end the screen's message loop and exit the app."""

    async def _on_message(self, message: Message) -> None:
        try:
            await super()._on_message(message)
        except Exception as error:
            report = getattr(self.app, "report_error", None)
            if report is None:  # a test app without the reporter: Textual's own handling
                raise
            report(error)


class StudyScreen(GuardedScreen[ResultT]):
    """A screen of `StudyApp`.

    `follow` subscribes to one of the app's change signals (`library_changed`,
    `store_ready`, `progress_changed`, `card_edited`). A screen under another one is not
    redrawn for every change: it runs each followed callback once when it is shown again.
    """

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        # callbacks to run when the screen is shown again; a dict keeps them in order, once
        self._catch_up: dict[Callable[[], object], None] = {}

    @property
    def study_app(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def follow(
        self, signal: Signal[Any], callback: Callable[[], object], *, catch_up: bool = True
    ) -> None:
        """Call `callback` when `signal` is published while this screen is shown. Under
        another screen, it runs once when this one is shown again; with `catch_up=False` it
        is skipped (for a screen that refreshes everything when it is shown again anyway)."""

        def changed(_data: object) -> None:
            if self.is_active:
                callback()
            elif catch_up:
                self._catch_up[callback] = None

        signal.subscribe(self, changed)

    @on(events.ScreenResume)
    def _run_catch_up(self) -> None:
        pending, self._catch_up = self._catch_up, {}
        for callback in pending:
            callback()
