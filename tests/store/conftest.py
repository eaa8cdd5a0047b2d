"""The store tests run two weeks before the other tests' clock: before the DST change of
2026-03-08 that the stats tests cross (the store fixture itself is the root conftest's)."""

from __future__ import annotations

from datetime import datetime

import pytest
from storekit import NOW


@pytest.fixture
def now() -> datetime:
    return NOW
