"""Note import benchmark: a generated 1 MB study note through `studytool import` (not run by
pytest).

    python benchmarks/bench_note_import.py [--mb 1.0]

Target: under 10 s for 1 MB (issue 16). The note mixes every construct the importer reads.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studytool.exchange.notes import draft_deck  # noqa: E402

BUDGET_S = 10.0


def make_note(size: int) -> str:
    """A note of about `size` characters: sections of headings, terms, bold bullets, formulas,
    Q/A pairs and timelines, each section's terms distinct so the note keeps growing its
    vocabulary as a real semester of notes does."""
    parts: list[str] = []
    total, n = 0, 0
    while total < size:
        block = (
            f"# Topic {n} optimizer\n"
            f"Term{n} alpha: the learning rate schedule number {n} used for training\n"
            f"- Momentum{n} - keeps a running average of gradients\n"
            f"- **Adam{n}** combines Momentum{n} with a second moment estimate\n"
            f"- Term{n} alpha decays while Momentum{n} stays at 0.9 in practice\n"
            f"  - nested detail about Term{n} alpha and Adam{n} steps\n"
            f"Update rule: $w_{{t+1}} = w_t - \\eta g_t$\n"
            f"$$v_t = \\beta v_{{t-1}} + (1-\\beta) g_t^2$$\n"
            f"Q. What does Adam{n} estimate?\nA. The first and second moments.\n"
            f"- {1990 + n % 30} - Event {n} appeared\n- {1991 + n % 30} - Event {n}b appeared\n\n"
        )
        parts.append(block)
        total += len(block)
        n += 1
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=1.0)
    args = parser.parse_args()
    note = make_note(int(args.mb * 2**20))
    start = time.perf_counter()
    draft = draft_deck(note, "bench.md", "bench")
    elapsed = time.perf_counter() - start
    print(
        f"{len(note.encode()) / 2**20:.2f} MB note, {len(note.splitlines())} lines ->"
        f" {len(draft.deck.cards)} cards in {elapsed:.2f} s (budget {BUDGET_S:.0f} s)"
    )
    if elapsed > BUDGET_S:
        sys.exit(1)


if __name__ == "__main__":
    main()
