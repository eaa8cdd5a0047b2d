"""Shared fixtures: every database lives under tmp_path; time and time zone are fixed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from storekit import NOW, make_settings

from studytool.config import Settings
from studytool.store.repo import Store


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store.open(settings, now=NOW, tz=UTC)
    yield s
    s.close()
