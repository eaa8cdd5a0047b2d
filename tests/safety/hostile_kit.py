"""A hostile user deck shared by the output-safety tests: every free-text field carries Rich and
Textual markup (an unbalanced closing tag, a click action, a link). Control characters are refused
by the loader, so `with_controls` adds them the way an import, a cache or a config value could."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from studytool.config import Settings
from studytool.content.library import load_library, load_paths
from studytool.content.model import Deck, LoadResult, Text
from studytool.tui.app import StudyApp

MARKUP = "[/b] [bold]B [@click=app.quit]Q[/] [link=file:///etc/passwd]L[/link]"
# ESC ] 52: a clipboard write; ESC ] 2: a window title; CSI 2J: clear the screen
CONTROLS = "\x1b]52;c;Y3VybCB4IHwgc2g=\x07\x1b]2;pwned\x07\x9b2J"

DECK_YAML = f"""\
deck: hostile
title: {{en: "T {MARKUP}", ko: "제목 {MARKUP}"}}
cards:
  - id: basic-one
    type: basic
    front: {{en: "front {MARKUP}", ko: "앞 {MARKUP}"}}
    back: {{en: "back {MARKUP}", ko: "뒤 {MARKUP}"}}
    explain: {{en: "explain {MARKUP}", ko: "설명 {MARKUP}"}}
    concept: "concept {MARKUP}"
    source: {{note: "note.txt", quote: "quote {MARKUP}"}}
  - id: mcq-one
    type: mcq
    question: {{en: "pick {MARKUP}", ko: "고르기 {MARKUP}"}}
    choices:
      - {{en: "A {MARKUP}", ko: "가 {MARKUP}"}}
      - {{en: "[bold]B", ko: "[bold]나"}}
    answer: 0
  - id: num-one
    type: numeric
    question: {{en: "{{a}}? {MARKUP}", ko: "{{a}}? {MARKUP}"}}
    vars: {{a: [1, 3]}}
    compute: "a * 2"
    unit: "[/b]"
  - id: typed-one
    type: typed
    question: {{en: "type {MARKUP}", ko: "입력 {MARKUP}"}}
    answers: [{{en: "[/b]", ko: "[/b]"}}]
"""


def write_deck(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "hostile.yaml"
    path.write_text(DECK_YAML, encoding="utf-8")
    return path


def hostile_library(directory: Path) -> LoadResult:
    result = load_paths([write_deck(directory)], set())
    assert not result.problems, result.problems
    return result


def with_controls(result: LoadResult) -> LoadResult:
    """The library with terminal escapes leading the deck title and every card's prompt."""

    def dirty(deck: Deck) -> Deck:
        cards = tuple(
            dataclasses.replace(c, prompt=Text(CONTROLS + c.prompt.en, CONTROLS + c.prompt.ko))
            for c in deck.cards
        )
        title = Text(CONTROLS + deck.title.en, CONTROLS + deck.title.ko)
        return dataclasses.replace(deck, title=title, cards=cards)

    return LoadResult(decks=[dirty(d) for d in result.decks])


def make_app(data: Path, decks: Path | None = None, library: LoadResult | None = None) -> StudyApp:
    """The app on `decks` (the TUI test decks by default), a fixed clock, progress in `data`."""
    decks = decks or Path(__file__).parents[1] / "tui" / "fixtures" / "decks"
    settings = Settings(content_dirs=(decks,), data_dir=data, lang="en")
    library = library or load_library(settings.content_dirs, builtin=False)
    return StudyApp(settings, library=library, clock=lambda: datetime(2026, 3, 18, 12, tzinfo=UTC))


async def settle(pilot: Pilot) -> None:
    """Let the store open (a thread after the first frame) and every worker finish."""
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
