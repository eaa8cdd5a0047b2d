"""`studytool plan ...`: what a scheduling choice costs before you make it.

studytool plan retention [--days N] [--json]   workload and retention per desired retention
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from studytool.cli.common import clean_errors, emit_json, get_cards, get_settings

if TYPE_CHECKING:
    from studytool.study.simulate import Simulation

plan_app = typer.Typer(
    help="Plan your study: the workload of a desired retention.", no_args_is_help=True
)


def retention_lines(sim: Simulation) -> list[str]:
    """The simulator's table as text, the current desired retention marked."""
    source = "your parameters" if sim.personal else "default parameters"
    lines = [
        f"{sim.cards} cards ({sim.new_cards} new) over {sim.days} days, {source},"
        f" {sim.seconds_per_answer:.1f} s per answer",
        f"{'desired':>9} {'reviews/day':>12} {'min/day':>8} {'recall':>7} {'memorized':>10}",
    ]
    for row in sim.rows:
        mark = "*" if abs(row.desired - sim.current) < 1e-9 else " "
        recall = "-" if row.retention is None else f"{row.retention:.1%}"
        lines.append(
            f"{mark}{row.desired:>8.2f} {row.answers_per_day:>12.1f} {row.minutes_per_day:>8.1f}"
            f" {recall:>7} {row.memorized:>10.0f}"
        )
    lines.append(
        "recall: mean predicted recall of the studied cards after the last day;"
        " * your current setting"
    )
    return lines


@plan_app.command("retention")
def retention(
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Days to simulate.")] = 90,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Reviews and minutes a day, and the recall kept, at desired retentions 0.70-0.97."""
    from studytool.store.repo import Store
    from studytool.store.scheduler import utc_now
    from studytool.study.simulate import simulate_store

    with clean_errors():
        cards = get_cards()
        drafts = [k for c in cards if c.draft for k in c.review_keys()]
        with Store.open(get_settings()) as store:
            store.sync(cards)
            sim = simulate_store(store, utc_now(), days=days, drafts=drafts)
    if json_out:
        emit_json(sim.to_dict())
    else:
        for line in retention_lines(sim):
            typer.echo(line)
