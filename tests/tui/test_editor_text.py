"""The editor's atomic save keeps the file's permissions and symlinks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from studytool.tui.editor import atomic_write


def test_atomic_write_keeps_permissions_and_links(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    atomic_write(link, b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]
