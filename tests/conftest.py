"""Shared fixtures: every test runs against a throwaway config, data and content location; the
store opens under tmp_path at a fixed clock; tests are marked by folder (see
`pytest_collection_modifyitems`) so that `pytest -m "not torch"` is the fast suite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression
from kit import NOW

from studytool.config import Settings
from studytool.content.model import Card
from studytool.store.repo import Store

# Marks by where a test lives (paths relative to tests/). `torch`: imports torch or runs a
# demo in a worker; `tui`: drives the app with Pilot; `slow`: seconds per test on its own.
MARKS_BY_PATH: dict[str, tuple[str, ...]] = {
    "demos/": ("torch", "slow"),
    "content/test_numbers_": ("torch",),
    "test_demo_framework.py": ("torch", "slow"),
    "quiz/test_generated_torch.py": ("torch",),
    "store/test_store_optimize.py": ("torch", "slow"),
    "tui/test_demo_screen.py": ("torch", "tui"),
    "tui/test_snapshots_demo.py": ("torch", "tui"),
    "tui/test_demo_warm.py": ("torch", "tui"),
    "tui/": ("tui",),
    "quiz/test_quiz_tui.py": ("tui",),
    "test_wheel.py": ("slow",),
    "store/test_store_reliability.py": ("slow",),
    "content/test_loader_fuzz.py": ("slow",),
    "quiz/test_expr_fuzz.py": ("slow",),
}


TESTS = Path(__file__).parent


def marks_of(path: Path) -> set[str]:
    where = path.relative_to(TESTS).as_posix()
    return {m for prefix, marks in MARKS_BY_PATH.items() if where.startswith(prefix) for m in marks}


def pytest_configure(config: pytest.Config) -> None:
    # the snapshots of modules left out by -m are not stale; the full run still fails on those
    if config.getoption("markexpr"):
        config.option.warn_unused_snapshots = True


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not even import a torch module that `-m` deselects: they import torch at the top,
    seconds of the fast suite. (No torch module marks a test of its own that `-m` could
    select again; other modules are collected and deselected as usual.)"""
    expression = config.getoption("markexpr")
    if not expression or collection_path.suffix != ".py" or TESTS not in collection_path.parents:
        return None
    marks = marks_of(collection_path)
    if "torch" in marks and not Expression.compile(expression).evaluate(
        lambda name, **_: name in marks
    ):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for mark in sorted(marks_of(item.path)):
            item.add_marker(mark)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("STUDYTOOL_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("STUDYTOOL_DATA", str(home / "data"))
    monkeypatch.setenv("STUDYTOOL_CACHE", str(home / "cache"))
    monkeypatch.delenv("STUDYTOOL_CONTENT", raising=False)
    # an app under test starts no torch worker after its first paint (tests that want it say so)
    monkeypatch.setenv("STUDYTOOL_DEMO_PREWARM", "0")
    return home


@pytest.fixture
def now() -> datetime:
    """The clock the `store` fixture opens and syncs at; a folder may override it."""
    return NOW


@pytest.fixture
def cards() -> list[Card]:
    """The cards the `store` fixture syncs; none unless a folder or module overrides it."""
    return []


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings: Settings, cards: list[Card], now: datetime) -> Iterator[Store]:
    s = Store.open(settings, now=now, tz=UTC)
    if cards:
        s.sync(cards, now=now)
    yield s
    s.close()
