"""Every demo through the real CLI path: `studytool demo run NAME --quick --json` streams JSON
lines from a fresh worker child process, as the CLI runs it, and the claim holds."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from studytool.cli import app
from studytool.demorun.catalog import list_demos

NAMES = [m.name for m in list_demos()]


@pytest.fixture(scope="module", autouse=True)
def _one_thread_worker():
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDYTOOL_DEMO_THREADS", "1")
    yield
    mp.undo()


def test_there_are_at_least_twenty_demos() -> None:
    assert len(NAMES) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_quick_json_run_holds(name: str) -> None:
    result = CliRunner().invoke(app, ["demo", "run", name, "--quick", "--json", "--device", "cpu"])
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    kinds = {e["type"] for e in events}
    verdicts = [e for e in events if e["type"] == "verdict"]
    assert result.exit_code == 0, (result.stdout[-2000:], result.stderr[-2000:])
    assert len(verdicts) == 1 and verdicts[0]["claim_holds"] is True
    assert verdicts[0]["numbers"], "the verdict carries the numbers behind it"
    assert {"start", "progress", "done"} <= kinds
    assert next(e for e in events if e["type"] == "start")["device"] == "cpu"
