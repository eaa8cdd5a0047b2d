"""Break 7 of issue 16: an error in a screen's handler is a notification that names a log
file, and the app stays usable; an error the app cannot survive exits with a non-zero status."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_kit import make_app, settle

from studytool.config import Settings
from studytool.tui.app import StudyApp, run_app
from studytool.tui.errors import error_log_path
from studytool.tui.home import HomeScreen
from studytool.tui.stats import StatsScreen

# a hostile message too: the notification must show it, not run it
BOOM = "boom [@click=app.quit]x[/] \x1b]2;t\x07"


def boom(*_args: object) -> None:
    raise RuntimeError(BOOM)


def error_toasts(app: StudyApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_an_error_in_a_screen_action_is_reported_and_the_app_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HomeScreen, "action_cram_selected", boom)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert app.is_running
        (toast,) = error_toasts(app)
        log = error_log_path(tmp_path)
        assert "RuntimeError" in toast and str(log) in toast
        assert "\x1b" not in toast and "[@click=app.quit]" in toast
        trace = log.read_text()
        assert "Traceback" in trace and "in boom" in trace and "\x1b" not in trace
        await pilot.press("s")  # still usable: another key opens another screen
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
    assert app.return_code in (0, None)


async def test_an_error_in_a_screen_message_handler_is_reported_and_the_screen_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StatsScreen, "on_screen_resume", boom)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen) and app.is_running
        assert any("RuntimeError" in t for t in error_toasts(app))
        await pilot.press("escape")  # the screen still answers its keys
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


def test_an_error_the_app_cannot_survive_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the app's own mount handler runs in the app's message loop: nothing can go on after it
    monkeypatch.setattr(StudyApp, "on_mount", boom)
    run = StudyApp.run
    monkeypatch.setattr(StudyApp, "run", lambda self: run(self, headless=True, size=(80, 24)))
    settings = Settings(content_dirs=(), data_dir=tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        run_app(settings)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError" in err and str(error_log_path(tmp_path)) in err
    assert "\x1b]2;" not in err
