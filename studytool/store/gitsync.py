"""`studytool sync`: the progress directory as a git repository, merged with any git remote.

A sync commits the lines appended since the last one, fetches, merges (each device writes only
its own files; `merge=union` keeps every line should two devices share an id), pushes, and
applies the new events to the database. History is never rewritten and nothing is
force-pushed: a push that loses a race fetches and merges again. A sync killed at any point
leaves a repository that the next sync completes (uncommitted lines are committed then, an
unpushed merge is pushed then).
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studytool.store.errors import StoreError
from studytool.store.replay import META_LAST_SYNC, ApplyResult, refresh, state_hash
from studytool.store.scheduler import from_ms, to_ms, utc_now

if TYPE_CHECKING:
    from studytool.store.repo import Store

BRANCH = "main"
_REMOTE = "origin"
_PUSH_TRIES = 5
_ATTRIBUTES = "*.jsonl merge=union\n"
_POLL_S = 0.05  # how often a running git command looks at the cancel flag
_LOCK_WAIT_S = 30.0  # how long a sync waits for another one (or a killed one's git) to end
_FETCH_TRIES, _FETCH_RETRY_S = 5, 0.5


class SyncCancelled(StoreError):
    """The sync was stopped on request; the next sync completes what it left."""


# set by sync() for the git commands of one sync, in its own thread
_cancel: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "sync_cancel", default=None
)
# the sync lock's descriptor, inherited by the local git commands: one that outlives a killed
# sync holds the lock until it ends, so the next sync never runs git beside it
_lock_fd: contextvars.ContextVar[int | None] = contextvars.ContextVar("sync_lock", default=None)


@dataclass(frozen=True, slots=True)
class SyncReport:
    remote: str
    committed: bool  # this device had lines to commit
    sent: int  # event lines this sync committed (and pushed)
    pulled: bool  # the remote had commits this repository lacked
    applied: ApplyResult
    state_hash: str


def _git_exe() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise StoreError(
            "sync needs the `git` program, and it is not on PATH: install git"
            " (https://git-scm.com/downloads) and run `studytool sync` again"
        )
    return exe


def _git(
    root: Path, *args: str, check: bool = True, network: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run git in `root`. A local command inherits the sync lock; a `network` one (fetch,
    push) does not, as it may start helpers that outlive it (a credential cache daemon would
    hold the lock for its whole life)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    ident = ["-c", "user.name=studytool", "-c", "user.email=studytool@localhost"]
    cancel = _cancel.get()
    if cancel is not None and cancel.is_set():
        raise SyncCancelled("sync cancelled; the next sync completes it")
    lock = None if network else _lock_fd.get()
    proc = subprocess.Popen(
        [_git_exe(), "-C", str(root), *ident, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        pass_fds=() if lock is None else (lock,),
    )
    while True:
        try:
            out, err = proc.communicate(timeout=None if cancel is None else _POLL_S)
            break
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.is_set():
                # a killed git leaves what a kill -9 leaves: the next sync completes it
                proc.kill()
                proc.communicate()
                raise SyncCancelled("sync cancelled; the next sync completes it") from None
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check and done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise StoreError(f"git {args[0]} failed in {root}: {detail[-1] if detail else '?'}")
    return done


def _is_local(remote: str) -> bool:
    return "://" not in remote and not (":" in remote and "@" in remote.split(":", 1)[0])


def ensure_repo(root: Path) -> None:
    """Make the progress directory a repository (once)."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        _git(root, "init", "-q", "-b", BRANCH)
    attrs = root / ".gitattributes"
    if not attrs.exists():
        attrs.write_text(_ATTRIBUTES, encoding="utf-8")


def _set_remote(root: Path, remote: str) -> None:
    if _is_local(remote):
        target = Path(remote).expanduser()
        # an empty folder (say, on a synced drive) becomes a bare repository
        if not target.exists() or (target.is_dir() and not any(target.iterdir())):
            target.mkdir(parents=True, exist_ok=True)
            _git(target, "init", "-q", "--bare", "-b", BRANCH)
        remote = str(target.resolve())
    current = _git(root, "remote", "get-url", _REMOTE, check=False)
    if current.returncode != 0:
        _git(root, "remote", "add", _REMOTE, remote)
    elif current.stdout.strip() != remote:
        _git(root, "remote", "set-url", _REMOTE, remote)


def _commit(root: Path, message: str) -> int | None:
    """Commit what changed; returns the event lines committed, None when nothing was."""
    _git(root, "add", "-A", "--", ".")
    if _restore_lost_lines(root):
        _git(root, "add", "-A", "--", ".")
    staged = _git(root, "diff", "--cached", "--numstat", "--", "*.jsonl").stdout
    if _git(root, "diff", "--cached", "--quiet", check=False).returncode == 0:
        return None
    _git(root, "commit", "-q", "--no-verify", "-m", message)
    added = (line.split("\t", 1)[0] for line in staged.splitlines())
    return sum(int(n) for n in added if n.isdigit())


def _restore_lost_lines(root: Path) -> bool:
    """Event files only grow. A merge killed while it wrote the files can leave one shorter
    than committed; committing that would delete events on every machine. Put the committed
    lines back (under the append lock), keeping any lines appended since."""
    numstat = _git(root, "diff", "--cached", "--numstat", "HEAD", check=False)
    if numstat.returncode != 0:
        return False  # no HEAD yet: nothing committed to lose
    fixed = False
    for line in numstat.stdout.splitlines():
        _added, deleted, name = line.split("\t", 2)
        if deleted in ("0", "-") or not name.endswith(".jsonl"):
            continue
        committed = _git(root, "show", f"HEAD:{name}").stdout.encode()
        path = root / name
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            now = os.pread(fd, os.fstat(fd).st_size, 0)
            old = committed.splitlines(keepends=True)
            seen = set(old)
            extra = [ln for ln in now.splitlines(keepends=True) if ln not in seen]
            data = b"".join(old + [ln if ln.endswith(b"\n") else ln + b"\n" for ln in extra])
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            os.fsync(fd)
        finally:
            os.close(fd)
        fixed = True
    return fixed


@contextlib.contextmanager
def _sync_lock(root: Path) -> Iterator[None]:
    """One sync at a time per progress directory; another one is waited for a while. The
    local git commands of a sync inherit the lock, so holding it, none of them runs in the
    repository, and any git lock file left there belongs to a killed sync: it is removed. (A
    fetch or push left running by a killed sync may still take its ref lock: `_fetch` tries
    again.)"""
    fd = os.open(root / ".git" / "studytool-sync.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + _LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                cancel = _cancel.get()
                if cancel is not None and cancel.is_set():
                    raise SyncCancelled("sync cancelled") from None
                if time.monotonic() > deadline:
                    raise StoreError("another `studytool sync` is running; try again") from None
                time.sleep(_POLL_S)
        for stale in (root / ".git").glob("**/*.lock"):
            if stale.name != "studytool-sync.lock":
                stale.unlink(missing_ok=True)
        token = _lock_fd.set(fd)
        try:
            yield
        finally:
            _lock_fd.reset(token)
    finally:
        os.close(fd)


def _fetch(root: Path) -> subprocess.CompletedProcess[str]:
    """git fetch; a ref lock held by a fetch or push of a killed sync is waited out."""
    for _ in range(_FETCH_TRIES - 1):
        done = _git(root, "fetch", "-q", _REMOTE, check=False, network=True)
        if done.returncode == 0 or "lock" not in done.stderr:
            return done
        time.sleep(_FETCH_RETRY_S)
    return _git(root, "fetch", "-q", _REMOTE, check=False, network=True)


def _merge_remote(root: Path, remote: str) -> bool:
    """Fetch and merge the remote branch; True when it brought commits."""
    fetch = _fetch(root)
    if fetch.returncode != 0:
        detail = (fetch.stderr or fetch.stdout).strip().splitlines()
        raise StoreError(
            f"cannot reach {remote} (offline, or a wrong address?):"
            f" {detail[-1] if detail else 'git fetch failed'}"
        )
    ref = f"refs/remotes/{_REMOTE}/{BRANCH}"
    if _git(root, "rev-parse", "-q", "--verify", ref, check=False).returncode != 0:
        return False  # an empty remote
    behind = _git(root, "rev-list", "--count", f"HEAD..{ref}", check=False)
    if behind.returncode == 0 and behind.stdout.strip() == "0":
        return False
    if _git(root, "rev-parse", "-q", "--verify", "HEAD", check=False).returncode != 0:
        _git(root, "reset", "-q", "--hard", ref)  # nothing of ours committed yet
        return True
    _git(root, "merge", "-q", "--no-edit", "--allow-unrelated-histories", ref)
    return True


def sync(store: Store, remote: str, cancel: threading.Event | None = None) -> SyncReport:
    """One full sync with `remote` (a path, bare repository, or ssh/https URL). Setting
    `cancel` (from another thread) stops it at the next git step, killing a running git
    command: SyncCancelled. Whatever it leaves, the next sync completes."""
    root = store.log.root
    _git_exe()
    token = _cancel.set(cancel)
    try:
        ensure_repo(root)
        with _sync_lock(root):
            return _sync_locked(store, root, remote)
    finally:
        _cancel.reset(token)


def _sync_locked(store: Store, root: Path, remote: str) -> SyncReport:
    _set_remote(root, remote)
    # a merge left half done by a killed sync: finish it (the union driver never conflicts)
    if (root / ".git" / "MERGE_HEAD").exists():
        _git(root, "add", "-A", "--", ".")
        _restore_lost_lines(root)
        _git(root, "add", "-A", "--", ".")
        _git(root, "commit", "-q", "--no-edit", "--no-verify", check=False)
    sent = _commit(root, f"progress from {store.log.device}")
    pulled = False
    for _ in range(_PUSH_TRIES):
        pulled = _merge_remote(root, remote) or pulled
        if _git(root, "rev-parse", "-q", "--verify", "HEAD", check=False).returncode != 0:
            break  # nothing here and nothing there
        push = _git(
            root, "push", "-q", _REMOTE, f"HEAD:refs/heads/{BRANCH}", check=False, network=True
        )
        if push.returncode == 0:
            break
        if "rejected" not in push.stderr and "fetch first" not in push.stderr:
            raise StoreError(f"git push to {remote} failed: {push.stderr.strip()}")
    else:
        raise StoreError(f"git push to {remote} kept losing to other pushes; sync again")
    applied = refresh(store)  # new events, or everything with the weights a sync brought
    now = to_ms(utc_now())
    with store.transaction() as con:
        con.execute(
            "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)",
            (META_LAST_SYNC, str(now)),
        )
    return SyncReport(remote, sent is not None, sent or 0, pulled, applied, state_hash(store))


@dataclass(frozen=True, slots=True)
class SyncStatus:
    events: int
    bad_lines: int
    last_sync: str | None  # ISO time, UTC
    state_hash: str

    def to_dict(self) -> dict[str, object]:
        return {
            "events": self.events,
            "bad_lines": self.bad_lines,
            "last_sync": self.last_sync,
            "state_hash": self.state_hash,
        }


def last_sync(store: Store) -> datetime | None:
    """When this data dir last synced (UTC), None if never: one row, cheap enough for Home."""
    row = store._read_one("SELECT value FROM sync_meta WHERE name=?", (META_LAST_SYNC,))
    return from_ms(int(row[0])) if row else None


def sync_status(store: Store) -> SyncStatus:
    read = store.log.read()
    last = last_sync(store)
    return SyncStatus(
        len(read.sorted()), len(read.bad), last.isoformat() if last else None, state_hash(store)
    )
