"""The demo worker: ``python -m studytool.demorun.worker``.

Imports torch once, announces itself with a ``ready`` event, then reads one JSON request per
line on stdin and answers each with JSON-line events on stdout (see ``protocol.py``); a
``preload`` request imports a demo module ahead of its run and is not answered.  Every
exception from a demo becomes an ``error`` event; the worker then waits for the next request.

stdout is reserved for events: the original stdout file descriptor is kept for the protocol
and file descriptor 1 is pointed at stderr, so stray ``print`` calls (Python or C level) in
a demo cannot corrupt the stream.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import traceback
from typing import Any, TextIO

from studytool._paths import demos_package


def _protocol_stream() -> TextIO:
    """Keep the real stdout for events; send fd 1 and sys.stdout to stderr."""
    sys.stdout.flush()
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_fd, "w", encoding="utf-8", buffering=1)


def _warm_up(torch: Any) -> None:
    """Pay torch's lazy first-use costs (the first optimizer step imports torch._dynamo,
    seconds on a small CPU) while the worker is idle, not inside the first demo."""
    if os.environ.get("STUDYTOOL_DEMO_WARMUP", "1") == "0":
        return
    with contextlib.suppress(Exception):
        p = torch.zeros(4, requires_grad=True)
        loss = torch.nn.functional.conv2d(p.view(1, 1, 2, 2), torch.ones(1, 1, 1, 1)).sum()
        loss.backward()
        opt = torch.optim.Adam([p], lr=0.1)
        opt.step()
        opt.zero_grad()


def _preload(module: str) -> None:
    """Import a demo module before its run is asked for (no answer: the run that needs a
    module that fails to import reports it)."""
    with contextlib.suppress(Exception):
        importlib.import_module(module)


def serve(stdin: TextIO, out: TextIO) -> None:
    package = demos_package()
    base = importlib.import_module(f"{package}._base")  # imports no torch
    base.prepare_cuda_env()  # before anything can initialise CUDA
    import torch  # the slow import, done once per worker

    base.set_threads(torch)
    _warm_up(torch)
    pid = os.getpid()

    def emit(event: dict[str, Any]) -> None:
        if event.get("type") == "start":
            event = {**event, "pid": pid}
        out.write(json.dumps(event, separators=(",", ":"), default=str) + "\n")
        out.flush()

    emit(
        {
            "type": "ready",
            "pid": pid,
            "torch": torch.__version__,
            "cuda": bool(torch.cuda.is_available()),
        }
    )

    for line in stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            if isinstance(req, dict) and isinstance(req.get("preload"), str):
                _preload(req["preload"])
                continue
            if not isinstance(req, dict) or not isinstance(req.get("demo"), str):
                raise ValueError("a request needs a string 'demo'")
            params = req.get("params") or {}
            if not isinstance(params, dict):
                raise ValueError("'params' must be an object")
            modname = req.get("module") or f"{package}.{req['demo']}"
            module = importlib.import_module(modname)
        except Exception as exc:
            kind = "param" if isinstance(exc, ModuleNotFoundError) else "protocol"
            emit(
                {
                    "type": "error",
                    "message": f"{type(exc).__name__}: {exc}",
                    "kind": kind,
                    "traceback": traceback.format_exc(),
                }
            )
            emit({"type": "done"})
            continue
        try:
            base.execute(
                module.INFO,
                module.run,
                params,
                device=str(req.get("device") or "auto"),
                quick=bool(req.get("quick", False)),
                emit=emit,
            )
        except (KeyboardInterrupt, SystemExit):
            # execute() already emitted the error and done events; keep serving
            continue
        finally:
            if torch.cuda.is_available():
                with contextlib.suppress(Exception):
                    torch.cuda.empty_cache()


def _exit_with_parent() -> None:
    """End the worker when the app that started it is gone (even mid-demo)."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    _exit_with_parent()
    out = _protocol_stream()
    try:
        serve(sys.stdin, out)
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:  # the app went away
        pass


if __name__ == "__main__":
    main()
