"""`studytool plan ...`: what a scheduling choice costs before you make it.

studytool plan retention [--days N] [--json]   workload and retention per desired retention
studytool plan exam --date YYYY-MM-DD [--deck D] [--minutes 30] [--target 0.9] [--activate]
                                               a day-by-day plan up to an exam (--clear stops it)
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from studytool.cli.common import clean_errors, emit_json, fail, get_cards, get_settings
from studytool.config import EXAM_MINUTES, EXAM_TARGET, default_config_path

if TYPE_CHECKING:
    from studytool.study.exam import ExamPlan
    from studytool.study.simulate import Simulation

plan_app = typer.Typer(
    help="Plan your study: the workload of a desired retention, a plan up to an exam.",
    no_args_is_help=True,
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


def exam_lines(plan: ExamPlan) -> list[str]:
    """The exam plan as text: the goal, one row a day, then whether the goal is met."""
    source = "your parameters" if plan.personal else "default parameters"
    lines = [
        f"Exam {plan.exam} ({plan.days_left} days left): {plan.cards} cards"
        f" ({plan.new_cards} new), target recall {plan.target:.0%}, {plan.minutes} min/day,"
        f" {plan.seconds_per_answer:.1f} s per answer, {source}",
        f"{'date':>10} {'new':>5} {'reviews':>8} {'minutes':>8}",
    ]
    for day in plan.days:
        lines.append(f"{day.day!s:>10} {day.new:>5} {day.reviews:>8} {day.minutes:>8.1f}")
    lines.append(
        f"Expected recall on {plan.exam}: {plan.expected_recall:.1%}"
        " (if every review goes as FSRS expects)"
    )
    if plan.met:
        lines.append(f"Every card reaches {plan.target:.0%} by the date.")
        if plan.tight:
            lines.append(
                f"Little room for forgetting: {plan.minutes_room} minutes a day keep the"
                " outcome near this plan when you forget some cards."
            )
        return lines
    short = f"Warning: {plan.below} of {plan.cards} cards stay below {plan.target:.0%}"
    if plan.unstarted:
        short += f" ({plan.unstarted} new cards never started)"
    lines.append(short + ".")
    if plan.minutes_needed is not None:
        lines.append(
            f"{plan.minutes_needed} minutes a day would meet the goal"
            f" ({plan.minutes_room} with room for forgetting)."
        )
    else:
        lines.append(
            f"Even {EXAM_MINUTES[1]} minutes a day would not meet it: choose a later date."
        )
    return lines


@plan_app.command("exam")
def exam(
    when: Annotated[
        str | None, typer.Option("--date", help="The exam date, YYYY-MM-DD.", show_default=False)
    ] = None,
    decks: Annotated[
        list[str] | None, typer.Option("--deck", help="A deck in scope (repeat; default all).")
    ] = None,
    minutes: Annotated[
        int,
        typer.Option(
            "--minutes", min=EXAM_MINUTES[0], max=EXAM_MINUTES[1], help="Study minutes a day."
        ),
    ] = 30,
    target: Annotated[
        float,
        typer.Option(
            "--target",
            min=EXAM_TARGET[0],
            max=EXAM_TARGET[1],
            help="Recall every card should have.",
        ),
    ] = 0.9,
    activate: Annotated[
        bool, typer.Option("--activate", help="Save it: the review queue follows it.")
    ] = False,
    clear: Annotated[bool, typer.Option("--clear", help="Stop following the plan.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Plan each day up to an exam so every card's predicted recall reaches the target."""
    from studytool.config import ExamSettings, write_settings
    from studytool.store.repo import Store
    from studytool.store.scheduler import study_date, utc_now
    from studytool.study.exam import plan_store

    settings = get_settings()
    path = settings.config_path or default_config_path()
    with clean_errors():
        if clear:
            write_settings(path, {"exam": None})
            if json_out:
                emit_json({"cleared": settings.exam is not None})
            else:
                typer.echo("Exam plan cleared." if settings.exam else "No exam plan was active.")
            return
        if when is None:
            if settings.exam is None:
                fail("give the exam date: --date YYYY-MM-DD (no exam plan is active)")
            goal = settings.exam
            if goal.date <= study_date(utc_now(), settings.day_start_hour):
                fail(f"the exam plan for {goal.date} has ended: `studytool plan exam --clear`")
        else:
            goal = ExamSettings(_exam_date(when), tuple(decks or ()), minutes, target)
        cards = get_cards()
        known = {c.deck for c in cards}
        unknown = [d for d in goal.decks if d not in known]
        if unknown:
            fail(f"unknown deck {unknown[0]!r}; decks: {', '.join(sorted(known))}")
        with Store.open(settings) as store:
            store.sync(cards)
            plan = plan_store(store, cards, utc_now(), goal)
        if activate:
            write_settings(path, {"exam": None, **goal.config_values()})
    if json_out:
        emit_json({**plan.to_dict(), "active": activate or when is None})
        return
    for line in exam_lines(plan):
        typer.echo(line)
    if activate:
        typer.echo(f"Plan activated: the review queue follows it until {plan.exam}.")


def _exam_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--date: {text!r} is not a date (YYYY-MM-DD)")
