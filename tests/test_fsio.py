"""atomic_write / atomic_path: whole replacement, fsync of file and folder, cleanup on failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from studytool import fsio
from studytool.fsio import atomic_path, atomic_write


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_text_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write(target, "line 1\r\nhangul 한글\n")
    assert target.read_bytes() == "line 1\r\nhangul 한글\n".encode()
    atomic_write(target, b"\x00\xffraw")
    assert target.read_bytes() == b"\x00\xffraw"
    atomic_write(target, "한", encoding="cp949")
    assert target.read_bytes() == "한".encode("cp949")
    assert names(tmp_path) == ["a.txt"]


def test_keeps_permissions_and_links(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    atomic_write(link, b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert names(tmp_path) == ["link.yaml", "real.yaml"]


def test_read_only_target_is_replaced_and_stays_read_only(tmp_path: Path) -> None:
    target = tmp_path / "ro.txt"
    target.write_text("old")
    os.chmod(target, 0o444)
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_new_file_gets_the_default_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.txt", "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_fsyncs_the_file_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        kind = "dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        events.append(f"fsync {kind}")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(fsio.os, "fsync", fsync)
    monkeypatch.setattr(fsio.os, "replace", replace)
    atomic_write(tmp_path / "f.txt", "data")
    assert events == ["fsync file", "replace", "fsync dir"]


def test_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old")

    def broken(src: str | Path, dst: str | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsio.os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert names(tmp_path) == ["keep.txt"]


def test_error_in_the_block_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(ValueError, match="invalid"), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise ValueError("invalid")
    assert target.read_text() == "old"
    assert names(tmp_path) == ["keep.txt"]


def test_atomic_path_gives_a_fresh_file_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.exists() and tmp.stat().st_size == 0
        assert not target.exists()
        tmp.write_text("a,b\n")
    assert target.read_text() == "a,b\n"
    assert names(tmp_path) == ["out.csv"]


def test_without_replace_the_first_file_wins(tmp_path: Path) -> None:
    target = tmp_path / "db"
    with atomic_path(target, replace=False) as tmp:
        tmp.write_text("first")
    with atomic_path(target, replace=False) as tmp:
        tmp.write_text("second")
    assert target.read_text() == "first"
    assert names(tmp_path) == ["db"]


def test_without_replace_falls_back_to_rename_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: str | Path, dst: str | Path) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(fsio.os, "link", no_links)
    target = tmp_path / "db"
    with atomic_path(target, replace=False) as tmp:
        tmp.write_text("made")
    assert target.read_text() == "made"
    assert names(tmp_path) == ["db"]
