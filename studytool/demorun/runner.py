"""Run demos in a child process and stream their events (used by the CLI and the TUI).

This module never imports torch.  A :class:`WorkerPool` keeps one warm worker process
(``python -m studytool.demorun.worker``, torch already imported) so the next demo starts
without the torch import; :class:`DemoRunner` sends one request to a worker and yields the
parsed events.  Whatever happens to the child (a demo exception, a crash, garbage on its
stdout, a timeout, a cancel) the caller sees an ``error`` event followed by ``done``; no
exception escapes into the caller.

Typical use::

    runner = DemoRunner()
    run = runner.run("optimizers", {"steps": "200"}, device="cpu", quick=True)
    for event in run:          # run.cancel() from another thread stops it within 1 s
        ...
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from studytool._paths import PKG_DIR, demos_package

from . import catalog
from .params import DemoParamError
from .protocol import (
    ProtocolError,
    encode,
    error_event,
    make_preload,
    make_request,
    parse_event,
)

__all__ = ["DemoRun", "DemoRunner", "Worker", "WorkerPool"]

DEFAULT_TIMEOUT = 300.0
_KILL_GRACE = 0.3  # seconds between SIGTERM and SIGKILL
_EOF = None


def _worker_env(extra_paths: Sequence[str] = (), env: dict[str, str] | None = None) -> dict:
    out = dict(os.environ)
    # the checkout root (or site-packages) first: the worker imports the demos package by name
    paths = [*map(str, extra_paths), str(PKG_DIR.parent)]
    if out.get("PYTHONPATH"):
        paths.append(out["PYTHONPATH"])
    out["PYTHONPATH"] = os.pathsep.join(paths)
    out["PYTHONUNBUFFERED"] = "1"
    out.setdefault("PYTHONIOENCODING", "utf-8")
    if env:
        out.update(env)
    return out


class Worker:
    """One worker child process and the threads that drain its pipes."""

    def __init__(
        self,
        command: Sequence[str] | None = None,
        extra_paths: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        cmd = list(command or [sys.executable, "-m", "studytool.demorun.worker"])
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # own process group: killpg reaches its children too
            env=_worker_env(extra_paths, env),
            close_fds=True,
        )
        self.pid = self.proc.pid
        self.started = time.monotonic()
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.ready = threading.Event()
        self.ready_after: float | None = None  # seconds from the start to `ready` (torch imported)
        self.runs = 0
        self._stderr: collections.deque[str] = collections.deque(maxlen=60)
        self._kill_lock = threading.Lock()
        self._killed = False
        threading.Thread(target=self._read_stdout, name=f"demo-out-{self.pid}", daemon=True).start()
        threading.Thread(target=self._read_stderr, name=f"demo-err-{self.pid}", daemon=True).start()

    # -- pipe readers
    def _read_stdout(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        try:
            for line in iter(stream.readline, b""):
                if line.startswith(b'{"type":"ready"'):
                    self.ready_after = time.monotonic() - self.started
                    self.ready.set()
                self.lines.put(line)
        except (OSError, ValueError):
            pass
        finally:
            self.lines.put(_EOF)

    def _read_stderr(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        try:
            for line in iter(stream.readline, b""):
                self._stderr.append(line.decode("utf-8", errors="replace").rstrip("\n"))
        except (OSError, ValueError):
            pass

    # -- state
    def alive(self) -> bool:
        return not self._killed and self.proc.poll() is None

    def stderr_tail(self, n: int = 15) -> str:
        return "\n".join(list(self._stderr)[-n:])

    def send(self, request: Mapping[str, Any]) -> None:
        stdin: IO[bytes] | None = self.proc.stdin
        assert stdin is not None
        stdin.write(encode(request).encode("utf-8"))
        stdin.flush()

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self.ready.wait(timeout)

    def kill(self, grace: float = _KILL_GRACE) -> None:
        """SIGTERM the process group, then SIGKILL after ``grace`` seconds; reap it.

        Safe from any thread; a second caller waits until the first one is done."""
        with self._kill_lock:
            if self._killed:
                return
            self._killed = True
            proc = self.proc
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(2.0)
            else:  # the leader is gone; sweep any children left in its group
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
            for stream in (proc.stdin, proc.stderr):
                with contextlib.suppress(OSError, ValueError):
                    if stream is not None:
                        stream.close()

    def close(self) -> None:
        """Ask an idle worker to exit (EOF on its stdin) without waiting for it; a background
        thread reaps it, killing it if it has not gone within 2 s."""
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()

        def reap() -> None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(2.0)
            self.kill()

        threading.Thread(target=reap, name=f"demo-reap-{self.pid}", daemon=True).start()


class WorkerPool:
    """Keeps at most one idle, warm worker.

    * :meth:`prewarm` starts one in the background (it imports torch while nobody waits);
    * :meth:`preload` has the idle one import a demo module before its run is asked for;
    * a worker whose run ended cleanly is handed back with :meth:`release` and reused;
    * a worker that was cancelled, timed out or crashed is :meth:`discard`-ed, and a fresh
      one is pre-warmed when ``keep_warm``;
    * :meth:`shutdown` (also run at exit) stops them all.
    """

    def __init__(
        self,
        *,
        keep_warm: bool = True,
        command: Sequence[str] | None = None,
        extra_paths: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.keep_warm = keep_warm
        self._command = command
        self._extra_paths = tuple(extra_paths)
        self._env = env
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._closed = False
        atexit.register(self.shutdown)

    def _spawn(self) -> Worker:
        w = Worker(self._command, self._extra_paths, self._env)
        self._all.add(w)
        return w

    def _idle_worker(self) -> Worker:
        """The idle worker, started if there is none (call with the lock held)."""
        self._idle = [w for w in self._idle if w.alive()]
        if not self._idle:
            self._idle.append(self._spawn())
        return self._idle[-1]

    def prewarm(self) -> None:
        """Make sure one idle worker exists (starting it returns at once)."""
        with self._lock:
            if not self._closed:
                self._idle_worker()

    def preload(self, module: str) -> None:
        """Have the idle worker (started if there is none) import ``module`` now, so that the
        run that follows skips the import. A worker that is still importing torch reads the
        request once it is ready."""
        with self._lock:
            if self._closed:
                return
            with contextlib.suppress(OSError, ValueError):  # a dead pipe: the run will see it
                self._idle_worker().send(make_preload(module))

    def acquire(self) -> Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("worker pool is shut down")
            while self._idle:
                w = self._idle.pop()
                if w.alive():
                    return w
                self._all.discard(w)
            return self._spawn()

    def release(self, worker: Worker) -> None:
        with self._lock:
            if not self._closed and worker.alive() and not self._idle:
                self._idle.append(worker)
                return
        self._all.discard(worker)
        worker.close()

    def discard(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        if self.keep_warm:
            self.prewarm()

    def idle_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._idle if w.alive()]

    def shutdown(self) -> None:
        atexit.unregister(self.shutdown)
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._idle.clear()
            self._all.clear()
        for w in workers:
            w.kill(grace=0.2)


class DemoRun:
    """One demo run: iterate it for events; :meth:`cancel` stops it (any thread)."""

    def __init__(
        self,
        pool: WorkerPool,
        demo: str,
        params: dict[str, Any] | None,
        device: str,
        quick: bool,
        timeout: float | None,
        module: str | None,
        validate: bool,
    ) -> None:
        self.pool = pool
        self.demo = demo
        self.params = dict(params or {})
        self.device = device
        self.quick = quick
        self.timeout = timeout
        self.module = module
        self.validate = validate
        self.pid: int | None = None
        self.worker: Worker | None = None
        self.verdict: dict[str, Any] | None = None
        self.error: dict[str, Any] | None = None
        self.finished = False
        self._cancel = threading.Event()
        self._started = False
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Stop the run: the worker process is killed (SIGTERM, then SIGKILL) at once."""
        self._cancel.set()
        with self._lock:
            worker = self.worker
        if worker is not None and not self.finished:
            worker.kill()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._started:
            raise RuntimeError("a DemoRun can be iterated only once")
        self._started = True
        for event in self._events():
            if event["type"] == "verdict":
                self.verdict = event
            elif event["type"] == "error":
                self.error = event
            yield event

    def collect(self) -> list[dict[str, Any]]:
        """Run to the end and return every event."""
        return list(self)

    # -- the event loop
    def _fail(self, message: str, kind: str, tb: str = "") -> Iterator[dict[str, Any]]:
        self.finished = True
        yield error_event(message, kind, tb)
        yield {"type": "done"}

    def _precheck(self) -> str | None:
        if self.module or not self.validate:
            return None
        try:
            meta = catalog.get_demo(self.demo)
            meta.resolve_params(self.params, self.quick)
        except (catalog.UnknownDemoError, DemoParamError) as exc:
            return str(exc)
        if self.device not in ("auto", "cpu") and not self.device.startswith(("cuda", "mps")):
            return f"unknown device {self.device!r} (use cpu, cuda or auto)"
        return None

    def _events(self) -> Iterator[dict[str, Any]]:
        problem = self._precheck()
        if problem:
            yield from self._fail(problem, "param")
            return
        if self._cancel.is_set():
            yield from self._fail("cancelled", "cancelled")
            return
        try:
            worker = self.pool.acquire()
        except Exception as exc:
            yield from self._fail(f"could not start the demo worker: {exc}", "crash")
            return
        with self._lock:
            self.worker = worker
            self.pid = worker.pid
        clean = False
        try:
            if self._cancel.is_set():
                yield from self._fail("cancelled", "cancelled")
                return
            try:
                worker.send(
                    make_request(self.demo, self.params, self.device, self.quick, self.module)
                )
            except (OSError, ValueError):
                yield from self._crashed(worker)
                return
            worker.runs += 1
            deadline = None if self.timeout is None else time.monotonic() + self.timeout
            while True:
                if self._cancel.is_set():
                    yield from self._fail("cancelled", "cancelled")
                    return
                wait = 0.05
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        worker.kill()
                        yield from self._fail(
                            f"demo {self.demo!r} timed out after {self.timeout:g} s", "timeout"
                        )
                        return
                    wait = min(wait, left)
                try:
                    line = worker.lines.get(timeout=wait)
                except queue.Empty:
                    continue
                if line is _EOF:
                    if self._cancel.is_set():
                        continue  # reported as cancelled on the next pass
                    yield from self._crashed(worker)
                    return
                try:
                    event = parse_event(line)
                except ProtocolError as exc:
                    worker.kill()
                    yield from self._fail(f"demo worker sent garbage ({exc})", "protocol")
                    return
                if event["type"] == "ready":
                    continue
                if event["type"] == "done":
                    clean = True
                    self.finished = True
                yield event
                if clean:
                    return
        finally:
            self.finished = True
            if clean and not self._cancel.is_set():
                self.pool.release(worker)
            else:
                self.pool.discard(worker)

    def _crashed(self, worker: Worker) -> Iterator[dict[str, Any]]:
        try:
            code = worker.proc.wait(1.0)
        except subprocess.TimeoutExpired:
            code = None
        worker.kill()
        if code is not None and code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        tail = worker.stderr_tail()
        yield from self._fail(f"the demo worker {how}", "crash", tail)


class DemoRunner:
    """Starts demos in worker processes from a :class:`WorkerPool`."""

    def __init__(self, pool: WorkerPool | None = None, timeout: float | None = DEFAULT_TIMEOUT):
        self.pool = pool if pool is not None else WorkerPool()
        self.timeout = timeout

    def prewarm(self) -> None:
        self.pool.prewarm()

    def preload(self, demo: str, module: str | None = None) -> None:
        """Start the warm worker if needed and have it import the demo's module (``module``:
        a demo outside the demos package, as in :meth:`run`) while the user reads its form."""
        self.pool.preload(module or f"{demos_package()}.{demo}")

    def run(
        self,
        demo: str,
        params: dict[str, Any] | None = None,
        device: str = "auto",
        quick: bool = False,
        *,
        timeout: float | str | None = "default",
        module: str | None = None,
        validate: bool = True,
    ) -> DemoRun:
        """A :class:`DemoRun` (nothing starts until it is iterated).

        ``timeout`` in seconds (None: no limit; default: the runner's)."""
        t = self.timeout if isinstance(timeout, str) else timeout
        return DemoRun(self.pool, demo, params, device, quick, t, module, validate)

    def shutdown(self) -> None:
        self.pool.shutdown()
