"""Fixtures shared by the demo screen tests: the test-only demo package and a warm runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_kit import make_runner, make_test_package


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_test_package(tmp_path_factory.mktemp("demo_pkgs"))


@pytest.fixture(scope="module")
def runner(package: Path):
    """One warm worker per test module, over the test-only demo package."""
    r = make_runner(package.parent)
    r.prewarm()
    yield r
    r.shutdown()
