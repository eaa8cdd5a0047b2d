"""Settings: the workload table beside the desired retention, computed in a thread."""

from __future__ import annotations

from pathlib import Path

from kit import make_app, settle, wait_for
from textual.widgets import DataTable, Input

from studytool.study.simulate import RETENTIONS
from studytool.tui.settings import SettingsScreen


async def test_the_workload_table_follows_the_retention(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        app.action_settings()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await wait_for(pilot, lambda: screen.workload is not None, what="the simulation")
        await pilot.pause()
        sim = screen.workload
        assert sim is not None and sim.new_cards == sim.cards > 0 and not sim.personal
        table = screen.query_one("#workload", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [r[1] for r in rows] == [f"{x:.2f}" for x in RETENTIONS]
        assert [r[0] for r in rows].index("▶") == RETENTIONS.index(0.9)
        assert rows[4][2] == f"{sim.rows[4].answers_per_day:.1f}"
        minutes = [float(r[3]) for r in rows]
        assert minutes[-1] > minutes[0]
        caption = str(screen.query_one("#workload-caption").render())
        assert f"The next 90 days of your {sim.cards} cards" in caption
        # typing another retention moves the mark; Tab never stops on the table
        screen.query_one("#retention", Input).value = "0.8"
        await pilot.pause()
        marks = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert marks.index("▶") == RETENTIONS.index(0.8)
        assert not table.can_focus
        # `l`: the caption and the headers in Korean, the mark kept
        await pilot.press("l")
        await pilot.pause()
        caption = str(screen.query_one("#workload-caption").render())
        assert f"카드 {sim.cards}장의 앞으로 90일" in caption and "기본 매개변수" in caption
        assert [str(c.label) for c in table.columns.values()][1:] == [
            "목표",
            "복습/일",
            "분/일",
            "회상률",
        ]
        marks = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert marks.index("▶") == RETENTIONS.index(0.8)


async def test_without_a_store_the_table_says_why(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", open_store=False)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        app.action_settings()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen) and screen.workload is None
        assert "No workload table" in str(screen.query_one("#workload-caption").render())
        await pilot.press("l")
        await pilot.pause()
        assert "학습량 표 없음" in str(screen.query_one("#workload-caption").render())
