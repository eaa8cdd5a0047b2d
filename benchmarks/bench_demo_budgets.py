"""Every demo at its defaults and with --quick, timed as the worker runs them, against the
issue's budgets: default <= 10 s and quick <= 3 s on 2 CPU cores.

One process, torch imported and warmed up once, one torch thread (as the worker does), CPU.
The time is the verdict's ``seconds`` (from the start event to the verdict, the torch import
excluded). Prints a markdown table (demo, status, seconds, the verdict's summary) and exits 1
when a demo is over a budget or does not hold at its defaults.

Run: python benchmarks/bench_demo_budgets.py [NAME ...] [--device cpu]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET = {"default": 10.0, "quick": 3.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="demos to time (default: all)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    import torch

    from demos._base import run_inline
    from studytool.demorun.catalog import list_demos

    torch.set_num_threads(1)
    names = args.names or [m.name for m in list_demos()]
    run_inline(names[0], quick=True, device=args.device)  # first-use costs (torch._dynamo ...)
    over = []
    load = os.getloadavg()[0]
    print(f"load average {load:.2f}; {torch.__version__}; device {args.device}\n")
    print("| demo | default: status | default s | quick: status | quick s | numbers (default) |")
    print("|---|---|---|---|---|---|")
    for name in names:
        cells = []
        summary = ""
        for mode in ("default", "quick"):
            events, verdict = run_inline(name, quick=mode == "quick", device=args.device)
            seconds = next(e for e in events if e["type"] == "verdict")["seconds"]
            cells += [verdict.status, f"{seconds:.2f}"]
            if seconds > BUDGET[mode]:
                over.append(f"{name} {mode} {seconds:.2f} s > {BUDGET[mode]:g} s")
            if mode == "default":
                summary = verdict.summary
                if verdict.status != "holds":
                    over.append(f"{name}: {verdict.status} at its defaults")
        print(f"| {name} | {' | '.join(cells)} | {summary.replace('|', '/')} |", flush=True)
    print()
    for line in over:
        print("OVER:", line)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
