"""Shared fixtures: every test runs against a throwaway config, data and content location."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("STUDYTOOL_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("STUDYTOOL_DATA", str(home / "data"))
    monkeypatch.setenv("STUDYTOOL_CACHE", str(home / "cache"))
    monkeypatch.delenv("STUDYTOOL_CONTENT", raising=False)
    return home
