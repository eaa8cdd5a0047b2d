"""Child process for `studytool optimize`: the only place that imports torch.

    python -m studytool.store.optimize_worker LOGS.json

LOGS.json holds {"logs": [[card_id, rating, time_ms, duration_ms], ...]}. The last stdout
line is JSON: {"parameters": [...21 floats]} on success, {"error": "..."} otherwise (exit 3).
"""

from __future__ import annotations

import contextlib
import json
import sys


def fit(logs: list[list[int | None]]) -> list[float]:
    from fsrs import Rating, ReviewLog
    from fsrs.optimizer import Optimizer  # imports torch, pandas and tqdm

    from studytool.store.scheduler import from_ms

    review_logs = [
        ReviewLog(
            card_id=int(card_id),  # type: ignore[arg-type]
            rating=Rating(int(rating)),  # type: ignore[arg-type]
            review_datetime=from_ms(int(time_ms)),  # type: ignore[arg-type]
            review_duration=duration,  # type: ignore[arg-type]
        )
        for card_id, rating, time_ms, duration in logs
    ]
    # progress output must not reach stdout: the parent reads its last line as the result
    with contextlib.redirect_stdout(sys.stderr):
        params = Optimizer(review_logs).compute_optimal_parameters(verbose=False)
    return [float(p) for p in params]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        with open(args[0], encoding="utf-8") as f:
            logs = json.load(f)["logs"]
        params = fit(logs)
    except ImportError as e:
        msg = f"the optimizer needs torch, pandas and tqdm: pip install 'fsrs[optimizer]' ({e})"
        print(json.dumps({"error": msg}))
        return 3
    except Exception as e:  # reported to the parent as one line, never a traceback
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return 3
    print(json.dumps({"parameters": params}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
