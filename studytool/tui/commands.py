"""The command palette (ctrl+p): every action of the app, per deck and per demo."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp

Command = tuple[str, Callable[[], object], str]


class StudyCommands(Provider):
    """Review / cram / quiz per deck, browse, stats, keys, language, reload, demos."""

    def _commands(self) -> list[Command]:
        app = cast("StudyApp", self.app)
        lang = app.lang
        out: list[Command] = [
            ("Review all due cards", partial(app.action_review, ""), "Today's queue, all decks"),
            ("Browse cards", app.action_browse, "Search every card; filters, preview, edit"),
            ("Statistics", app.action_stats, "Forecast, reviews per day, retention"),
            (
                "Settings",
                app.action_settings,
                "New cards and reviews a day, retention, language, theme (Home: o)",
            ),
            ("Quiz", partial(app.action_quiz, ""), "A quiz over all decks"),
            ("Keys of this screen", app.action_help, "Show the bindings (also: ?)"),
            ("Switch card language (한국어/English)", app.action_toggle_lang, "Also: l"),
            ("Reload decks from disk", app.action_reload, "Read the deck files again"),
            ("Home", app.action_home, "Back to the deck list"),
            ("Demos", app.action_demos, "Every live demo, filtered as you type"),
            (
                "Sync progress",
                app.action_sync,
                "Share progress with your other machines (`studytool sync`, git)",
            ),
            (
                "Exam plan",
                app.action_exam_plan,
                "Plan each day up to an exam date; the review queue can follow it",
            ),
        ]
        if app.syncing:
            out.append(("Cancel sync", app.action_cancel_sync, "The next sync completes it"))
        for deck in app.library.decks:
            title = deck.title.get(lang)
            out += [
                (f"Review deck: {title}", partial(app.action_review, deck.id), deck.id),
                (f"Cram deck: {title}", partial(app.action_cram, deck.id), "No scheduling"),
                (f"Quiz deck: {title}", partial(app.action_quiz, deck.id), deck.id),
            ]
        for name, title in _demos(lang):
            out.append((f"Demo: {name}", partial(app.action_demo, name), title))
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands()[:8]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _demos(lang: str) -> list[tuple[str, str]]:
    """(name, title) of the shipped demos, read statically (no demo code, no torch)."""
    from studytool.demorun.catalog import list_demos

    return [(m.name, m.title_ko if lang == "ko" else m.title_en) for m in list_demos()]
