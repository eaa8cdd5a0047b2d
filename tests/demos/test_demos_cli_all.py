"""Every demo's quick run holds its claim and streams what the CLI and the TUI read: plain JSON
events with start, progress, one verdict and done. The runs are the cached in-process ones the
other demo tests share (each demo runs once in the suite); the child-process JSON-lines path of
`studytool demo run --json` is covered once, by the CLI tests of test_demo_framework.py."""

from __future__ import annotations

import json

import pytest
from demokit import quick_run

from studytool.demorun.catalog import list_demos

NAMES = [m.name for m in list_demos()]


def test_there_are_at_least_twenty_demos() -> None:
    assert len(NAMES) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_quick_run_holds(name: str) -> None:
    events, _ = quick_run(name)
    # what the worker writes: one JSON line per event
    events = [json.loads(json.dumps(e)) for e in events]
    kinds = {e["type"] for e in events}
    verdicts = [e for e in events if e["type"] == "verdict"]
    assert len(verdicts) == 1 and verdicts[0]["claim_holds"] is True
    assert verdicts[0]["numbers"], "the verdict carries the numbers behind it"
    assert {"start", "progress", "done"} <= kinds
    assert next(e for e in events if e["type"] == "start")["device"] == "cpu"
