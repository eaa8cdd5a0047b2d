"""Every demo on a GPU, as one prepared script: ``python -m demos.<name> --device cuda --quick
--json`` for each demo of the catalogue, one after the other (each in its own process, as a
user would run it; ``--device cpu`` tries the script without a GPU), collected into a
markdown table: status (the verdict, or the error), wall seconds (process start to exit:
torch import and CUDA start-up included), the demo's own seconds (from its verdict), and its
key numbers. With ``--repeat 2`` each demo runs twice and a
column says whether the numbers repeated exactly (deterministic algorithms are on for CUDA:
demos/_base.py ``deterministic_on``).

Exits 2 at once, with one line, when torch sees no CUDA device; 1 when a demo crashed, timed
out or sent no verdict; 0 otherwise (a claim that does not hold at --quick is a result, not a
failure of the check).

Run: python benchmarks/gpu_check.py [--out gpu_check.md] [--repeat N] [--only a,b] [--timeout S]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studytool.demorun import catalog  # noqa: E402  (after the checkout is on the path)

PROBE = (
    "import json, torch; ok = torch.cuda.is_available(); print(json.dumps({'cuda': ok, "
    "'torch': torch.__version__, 'name': torch.cuda.get_device_name(0) if ok else ''}))"
)


def _env() -> dict[str, str]:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.setdefault("STUDYTOOL_DEMO_THREADS", "1")
    return env


def probe() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=_env(), timeout=120
    )
    if done.returncode:
        sys.exit(f"gpu_check: torch does not start: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def run_demo(name: str, timeout: float, device: str) -> dict:
    """One run: {status, wall, seconds, numbers, error}."""
    cmd = [sys.executable, "-m", f"demos.{name}", "--device", device, "--quick", "--json"]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "TIMEOUT", "wall": timeout, "error": f"over {timeout:g} s"}
    wall = time.perf_counter() - start
    verdict, error = None, None
    for line in done.stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("type") == "verdict":
            verdict = event
        elif event.get("type") == "error":
            error = event
    if verdict is None:
        why = (error or {}).get("message") or (done.stderr.strip().splitlines() or ["no output"])[
            -1
        ]
        return {"status": "ERROR", "wall": wall, "error": why}
    return {
        "status": verdict["status"],
        "wall": wall,
        "seconds": verdict.get("seconds"),
        "numbers": verdict.get("numbers", {}),
    }


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def key_numbers(numbers: dict, n: int = 4) -> str:
    return ", ".join(f"{k}={_fmt(v)}" for k, v in list(numbers.items())[:n])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    parser.add_argument("--repeat", type=int, default=1, help="runs per demo (2: check repeats)")
    parser.add_argument("--only", default="", help="comma-separated demo names")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--device", default="cuda", help="cpu: try the script without a GPU")
    args = parser.parse_args()
    info = probe()
    if args.device == "cuda" and not info["cuda"]:
        print("gpu_check: no CUDA device (torch.cuda.is_available() is False); nothing run")
        return 2
    names = [m.name for m in catalog.list_demos()]
    if args.only:
        wanted = set(args.only.split(","))
        names = [n for n in names if n in wanted]
    where = f"GPU: {info['name']}" if args.device == "cuda" else f"device {args.device}"
    head = f"{where}, torch {info['torch']}, --device {args.device} --quick, {len(names)} demos"
    rows = [
        "| demo | status | wall s | demo s | key numbers |"
        + (" repeats |" if args.repeat > 1 else "")
    ]
    rows.append("|---|---|---:|---:|---|" + ("---|" if args.repeat > 1 else ""))
    failed = 0
    print(head, "", *rows, sep="\n", flush=True)
    for name in names:
        runs = [run_demo(name, args.timeout, args.device) for _ in range(max(1, args.repeat))]
        r = runs[0]
        bad = r["status"] in ("ERROR", "TIMEOUT")
        failed += bad
        shown = r["error"] if bad else key_numbers(r["numbers"])
        seconds = "" if r.get("seconds") is None else f"{r['seconds']:.2f}"
        row = f"| {name} | {r['status']} | {r['wall']:.1f} | {seconds} | {shown} |"
        if args.repeat > 1:
            same = all(x.get("numbers") == r.get("numbers") for x in runs[1:]) and not bad
            row += f" {'exact' if same else 'DIFFER'} |"
        rows.append(row)
        print(row, flush=True)
    table = "\n".join([head, "", *rows, ""])
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    print(f"\n{len(names) - failed}/{len(names)} demos ran to a verdict")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
