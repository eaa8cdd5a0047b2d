"""A demo's quick run, done once per test session and shared by the tests that read it."""

from __future__ import annotations

from functools import cache

from demos._base import run_inline


@cache
def quick_run(name: str) -> tuple[list[dict], object]:
    return run_inline(name, quick=True, device="cpu")
