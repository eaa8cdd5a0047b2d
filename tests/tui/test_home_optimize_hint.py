"""Home suggests `studytool optimize` once 512 review answers came since the last fit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kit import NOW, make_app, settle

from studytool.store.optimize import HINT_ANSWERS
from studytool.store.scheduler import Rating
from studytool.tui.home import HomeScreen


def _messages(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_home_suggests_optimizing_once(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        assert not any("optimize" in m for m in _messages(app))
        keys = sorted(store.records())
        for i in range(HINT_ANSWERS):
            when = NOW - timedelta(days=60) + timedelta(hours=i)
            store.grade(keys[i % len(keys)], Rating.Good, when)
        app.progress_changed.publish(None)
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.hinted
        hints = [m for m in _messages(app) if "studytool optimize" in m]
        assert hints == [
            f"마지막 매개변수 맞춤 이후 새 복습 {HINT_ANSWERS}개: `studytool optimize`로 "
            "내 기억에 맞추세요"
        ]
        # shown once a run: the next refresh does not repeat it
        app.progress_changed.publish(None)
        await settle(pilot)
        assert len([m for m in _messages(app) if "studytool optimize" in m]) == 1
