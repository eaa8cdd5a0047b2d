"""The command palette (ctrl+p): every action of the app, per deck and per demo, named in the
app's language."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from studytool.study.text import t

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp

Command = tuple[str, Callable[[], object], str]


class StudyCommands(Provider):
    """Review / cram / quiz per deck, browse, stats, keys, language, reload, demos."""

    def _commands(self) -> list[Command]:
        app = cast("StudyApp", self.app)
        lang = app.lang
        out: list[Command] = [
            (t("pal_review", lang), partial(app.action_review, ""), t("pal_review_help", lang)),
            (t("pal_browse", lang), app.action_browse, t("pal_browse_help", lang)),
            (t("pal_stats", lang), app.action_stats, t("pal_stats_help", lang)),
            (t("pal_settings", lang), app.action_settings, t("pal_settings_help", lang)),
            (t("pal_quiz", lang), partial(app.action_quiz, ""), t("pal_quiz_help", lang)),
            (t("pal_keys", lang), app.action_help, t("pal_keys_help", lang)),
            (t("pal_lang", lang), app.action_toggle_lang, t("pal_lang_help", lang)),
            (t("pal_reload", lang), app.action_reload, t("pal_reload_help", lang)),
            (t("pal_home", lang), app.action_home, t("pal_home_help", lang)),
            (t("pal_demos", lang), app.action_demos, t("pal_demos_help", lang)),
            (t("pal_sync", lang), app.action_sync, t("pal_sync_help", lang)),
            (t("pal_exam", lang), app.action_exam_plan, t("pal_exam_help", lang)),
        ]
        if app.syncing:
            out.append(
                (
                    t("pal_cancel_sync", lang),
                    app.action_cancel_sync,
                    t("pal_cancel_sync_help", lang),
                )
            )
        for deck in app.library.decks:
            title = deck.title.get(lang)
            out += [
                (
                    t("pal_review_deck", lang, deck=title),
                    partial(app.action_review, deck.id),
                    deck.id,
                ),
                (
                    t("pal_cram_deck", lang, deck=title),
                    partial(app.action_cram, deck.id),
                    t("pal_cram_help", lang),
                ),
                (t("pal_quiz_deck", lang, deck=title), partial(app.action_quiz, deck.id), deck.id),
            ]
        for name, title in _demos(lang):
            out.append((t("pal_demo", lang, name=name), partial(app.action_demo, name), title))
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
