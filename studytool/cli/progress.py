"""CLI commands over the progress store: stats, doctor, optimize, progress export/import.

The root app adds `progress_app` without a name, so these are top-level commands. Every failure
prints one `studytool: ...` line on stderr and exits 2; no traceback ever reaches the user.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from studytool.cli.common import clean_errors, emit_json, get_cards, get_settings, output_path
from studytool.textsafe import safe_path, visible

if TYPE_CHECKING:
    from studytool.store.calibration import Calibration
    from studytool.store.repo import Store
    from studytool.store.stats import Stats

progress_app = typer.Typer()

PANEL = "Progress"
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
FileArg = Annotated[Path, typer.Argument(metavar="FILE.json", help="Progress file.")]
ForceFlag = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _stats_lines(stats: Stats) -> list[str]:
    lines = [
        f"due today: {stats.due_today} (learning {stats.due_learning}, review {stats.due_review});"
        f" new available: {stats.new_available}",
        _limits_line(stats),
        f"streak: {stats.current_streak} days (longest {stats.longest_streak})",
        f"true retention: {_pct(stats.retention.rate)} over {stats.retention.reviews} reviews;"
        f" average retrievability now: {_pct(stats.average_retrievability)}",
    ]
    for deck, r in sorted(stats.deck_retention.items()):
        lines.append(f"  {deck}: {_pct(r.rate)} of {r.reviews}")
    week = ", ".join(f"{d.strftime('%a')} {n}" for d, n in stats.forecast[:7])
    lines.append(f"next 7 days: {week}")
    last = stats.reviews_per_day[-7:]
    lines.append("last 7 days: " + ", ".join(f"{d.strftime('%a')} {n}" for d, n in last))
    c = stats.counts
    lines.append(
        f"cards: {c['total']} ({c['new']} new, {c['learning']} learning, {c['review']} review,"
        f" {c['relearning']} relearning; {c['suspended']} suspended, {c['orphaned']} orphaned)"
    )
    if stats.predictions:
        lines.append("predictions before demos:")
        lines += [
            f"  {p.concept}: {p.right} of {p.predictions} right ({_pct(p.accuracy)})"
            for p in stats.predictions
        ]
    return lines


def _calibration_lines(cal: Calibration) -> list[str]:
    """Predicted recall at review time against what happened, per bin of prediction."""
    if cal.log_loss is None or cal.rmse_bins is None:
        return ["memory calibration: no reviews a day or more after the previous one yet"]
    lines = [
        f"memory calibration over {cal.reviews} reviews: log loss {cal.log_loss:.3f},"
        f" RMSE(bins) {cal.rmse_bins:.3f}"
    ]
    for b in cal.bins:
        if b.count:
            lines.append(
                f"  predicted {100 * b.low:.0f}-{100 * b.high:.0f}%: {b.count} reviews,"
                f" mean prediction {_pct(b.predicted)}, recalled {_pct(b.actual)}"
            )
    return lines


def _limits_line(stats: Stats) -> str:
    limits = stats.limits
    waiting = stats.due_review_all - stats.due_review  # due, but over today's review cap
    return (
        f"daily limits: {limits.new_total} new ({limits.new_per_deck} per deck),"
        f" {limits.reviews} reviews ({stats.reviews_today} done today"
        + (f"; {waiting} more due wait)" if waiting else ")")
    )


def _open_store() -> Store:
    from studytool.store.repo import Store

    return Store.open(get_settings())


@progress_app.command(rich_help_panel=PANEL)
def stats(json_out: JsonFlag = False) -> None:
    """Due counts, 30-day forecast, reviews per day, streaks, retention and how well your
    predicted recall matched what happened (memory calibration)."""
    from studytool.store.calibration import calibrate
    from studytool.store.history import recall_pairs
    from studytool.store.scheduler import utc_now
    from studytool.study.queue import queue_stats

    with clean_errors():
        cards = get_cards()
        with _open_store() as store:
            store.sync(cards)
            result = queue_stats(store, cards, utc_now())
            calibration = calibrate(recall_pairs(store))
            exam = store.settings.exam
        # the due and new counts follow an active plan (the queue does)
        following = exam if exam is not None and exam.date > result.today else None
        if json_out:
            plan = None
            if following is not None:
                plan = {"date": following.date.isoformat(), "decks": list(following.decks)}
            emit_json({**result.to_dict(), "exam_plan": plan, "calibration": calibration.to_dict()})
        else:
            lines = _stats_lines(result)
            if following is not None:
                decks = ", ".join(following.decks) or "all decks"
                lines[0] += f" (following the exam plan for {following.date}: {decks})"
            for line in [*lines, *_calibration_lines(calibration)]:
                typer.echo(visible(line))


@progress_app.command(rich_help_panel=PANEL)
def doctor(
    json_out: JsonFlag = False,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Rebuild the database's progress from the event log."),
    ] = False,
) -> None:
    """Check the progress database against the content and its event log (exit 1 on errors)."""
    from studytool.store.doctor import run_doctor
    from studytool.store.replay import rebuild as rebuild_from_log

    with clean_errors():
        cards = get_cards()
        with _open_store() as store:
            if rebuild:
                done = rebuild_from_log(store)
                if not json_out:
                    typer.echo(f"rebuilt {done.cards} cards from {done.events} logged events")
            report = run_doctor(store, cards)
        if json_out:
            emit_json(report.to_dict())
        else:
            for line in report.lines():  # card keys come from the database: any text
                typer.echo(visible(line))
    if not report.ok:
        raise typer.Exit(1)


@progress_app.command(rich_help_panel=PANEL)
def optimize(json_out: JsonFlag = False) -> None:
    """Fit FSRS parameters on the older 80 % of your reviews (in a child process); adopt and
    reschedule only if they predict the newest 20 % better than the current ones."""
    from studytool.store.optimize import optimize as run_optimize

    with clean_errors():

        def announce(n: int) -> None:
            if not json_out:
                typer.echo(
                    f"fitting FSRS parameters on the older 80 % of {n} reviews"
                    " (this can take minutes)..."
                )

        with _open_store() as store:
            result = run_optimize(store, on_fit=announce)
        if json_out:
            emit_json(result.to_dict())
        else:
            typer.echo(result.message)
            if result.backup:
                typer.echo(f"backup of the previous progress: {result.backup}")


transfer_app = typer.Typer(help="Export or import review progress as JSON.", no_args_is_help=True)


@transfer_app.command("export")
def export_cmd(file: FileArg, force: ForceFlag = False) -> None:
    """Write all progress (cards, review log, sessions, parameters) to FILE.json."""
    from studytool.store.transfer import export_progress

    output_path(file, force=force)
    with clean_errors(), _open_store() as store:
        result = export_progress(store, file)
        typer.echo(
            f"exported {result.counts['cards']} cards and {result.counts['revlog']} reviews"
            f" to {safe_path(file)}"
        )


@transfer_app.command("import")
def import_cmd(file: FileArg) -> None:
    """Replace all progress with FILE.json (the current progress is backed up first)."""
    from studytool.store.transfer import import_progress

    with clean_errors(), _open_store() as store:
        result = import_progress(store, file)
        typer.echo(
            f"imported {result.counts['cards']} cards and {result.counts['revlog']} reviews"
            f" from {safe_path(file)};"
            f" previous progress backed up to {safe_path(str(result.backup))}"
        )


@transfer_app.command("restore")
def restore_cmd(
    backup: Annotated[
        str, typer.Argument(metavar="BACKUP", help="A backup file, or its name in backups/.")
    ],
) -> None:
    """Replace the progress database with BACKUP; the current one and its WAL are set aside."""
    from studytool.store.restore import restore_backup

    with clean_errors():
        result = restore_backup(get_settings().data_dir, backup)
    typer.echo(f"restored {safe_path(result.backup)} to {safe_path(result.path)}")
    for path in result.set_aside:
        typer.echo(f"set aside: {safe_path(path)}")


progress_app.add_typer(transfer_app, name="progress", rich_help_panel=PANEL)
