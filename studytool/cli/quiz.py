"""``studytool quiz``: a (timed) quiz at the terminal prompt, question sheets for a study group,
and the quiz history.

    studytool quiz --deck transformer --n 15 --timed 20m
    studytool quiz sheet --deck transformer --n 10 --seed 7 --format md --lang both
    studytool quiz history [--json]

The root app (cli/__init__.py) mounts `quiz_app` as `quiz`. Imports fast (no torch,
no textual); the store and content load inside the commands. Every failure prints one
`studytool: ...` line on stderr and exits 2.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from studytool.cli.common import (
    Lang,
    SafeConsole,
    clean_errors,
    emit_json,
    fail,
    get_library,
    get_settings,
    resolve_lang,
)
from studytool.textsafe import safe_path, visible

if TYPE_CHECKING:
    from studytool.content.model import Card, LoadResult, Text
    from studytool.store.repo import Store
    from studytool.study.quiz import Answered, Question, QuizResult, QuizRun, QuizSpec

quiz_app = typer.Typer(
    help="Quizzes: take one here (timed or not), print question sheets, see your history.",
    invoke_without_command=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DeckOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--deck", "-d", help="Deck id (repeatable; default: all decks).", show_default=False
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="Only cards with this tag (repeatable).", show_default=False),
]
QUIT = ("/quit", "/q")
SKIP = ("/skip", "/s")


def _library_cards(decks: Sequence[str], tags: Sequence[str]) -> tuple[LoadResult, list[Card]]:
    """The loaded library and its cards, after checking that the decks and tags exist."""
    from studytool.content.loader import suggest

    lib = get_library()
    known = [d.id for d in lib.decks]
    for deck in decks:
        if deck not in known:
            if deck in lib.broken:
                fail(f"deck '{deck}' has errors: run `studytool check`")
            fail(f"no deck '{deck}'{suggest(deck, known)}")
    cards = [c for d in lib.decks for c in d.cards]
    if tags:
        all_tags = {t for c in cards for t in c.tags}
        for tag in tags:
            if tag not in all_tags:
                fail(f"no card has the tag '{tag}'{suggest(tag, all_tags)}")
    return lib, cards


def _title(lib: LoadResult, decks: Sequence[str], tags: Sequence[str]) -> Text:
    from studytool.content.model import Text

    titles = [d.title for d in lib.decks if d.id in decks]
    if titles:
        title = Text(", ".join(t.en for t in titles), ", ".join(t.ko for t in titles))
    else:
        title = Text("All decks", "전체 덱")
    tag_text = "".join(f" #{t}" for t in tags)
    return Text(title.en + tag_text, title.ko + tag_text)


def _spec(
    deck: list[str] | None,
    tag: list[str] | None,
    n: int,
    lang: str,
    **kw: object,
) -> QuizSpec:
    from studytool.study.quiz import MAX_QUESTIONS, QuizSpec

    if not 1 <= n <= MAX_QUESTIONS:
        fail(f"--n must be between 1 and {MAX_QUESTIONS}, not {n}")
    return QuizSpec(
        decks=tuple(dict.fromkeys(deck or ())),
        tags=tuple(dict.fromkeys(tag or ())),
        n=n,
        lang=lang,
        **kw,  # type: ignore[arg-type]
    )


# ---- taking a quiz -----------------------------------------------------------------------


@quiz_app.callback(invoke_without_command=True)
def quiz(
    ctx: typer.Context,
    deck: DeckOpt = None,
    tag: TagOpt = None,
    n: Annotated[int, typer.Option("--n", "-n", help="Number of questions.")] = 10,
    timed: Annotated[
        str | None,
        typer.Option("--timed", help="Time limit, e.g. 20m, 90s, 1h30m.", show_default=False),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Draw uniformly instead of favouring weak cards.")
    ] = False,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the draw.", show_default=False)
    ] = None,
    lang: Lang = None,
    feedback: Annotated[
        str | None,
        typer.Option(
            "--feedback",
            help="immediate or end (default: config quiz.feedback).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Take a quiz of mixed questions, weighted toward the cards you get wrong."""
    if ctx.invoked_subcommand is not None:
        return
    from studytool.study.quiz import FEEDBACK, parse_duration

    with clean_errors():
        settings = get_settings()
        lang = resolve_lang(lang)
        feedback = feedback or settings.quiz_feedback
        if feedback not in FEEDBACK:
            fail(f"--feedback must be 'immediate' or 'end', not '{feedback}'")
        try:
            limit = parse_duration(timed) if timed is not None else None
        except ValueError as e:
            fail(f"--timed: {e}")
        spec = _spec(
            deck,
            tag,
            n,
            lang,
            time_limit_s=limit,
            fresh=fresh,
            seed=seed if seed is not None else random.SystemRandom().randrange(1, 1_000_000),
            feedback=feedback,
        )
        _take_quiz(spec)


def _take_quiz(spec: QuizSpec) -> None:
    from studytool.store.repo import Store
    from studytool.store.scheduler import utc_now
    from studytool.study.quiz import QuizRun, draw_questions, save_result, weakness_weights
    from studytool.study.text import clock_text

    lib, cards = _library_cards(spec.decks, spec.tags)
    console = SafeConsole(highlight=False)
    with Store.open(get_settings()) as store:
        store.sync(cards, skip_decks=lib.broken)
        weights = None if spec.fresh else weakness_weights(store, cards, utc_now())
        questions = draw_questions(cards, spec, random.Random(spec.seed), weights)
        if not questions:
            fail("no cards match the chosen decks and tags")
        title = _title(lib, spec.decks, spec.tags).get(spec.lang)
        limit = f", {clock_text(spec.time_limit_s)}" if spec.time_limit_s else ""
        console.print(
            f"[bold]Quiz · {escape(title)}[/] — {len(questions)} questions{limit}"
            f" [dim](seed {spec.seed})[/]"
        )
        console.print(
            "[dim]Answer with a letter or number (a c for several), t/f, a number or text."
            " Enter alone or /skip skips; /quit ends the quiz.[/]"
        )
        run = QuizRun(questions, spec, clock=utc_now)
        _ask_all(console, run)
        result = run.finish()
        if not any(a.answered for a in result.answers):
            console.print("Nothing answered: the quiz was not saved.")
            return
        quiz_id = save_result(store, result)
        _print_results(console, result)
        _offer_review(console, store, result, quiz_id)


def _ask_all(console: Console, run: QuizRun) -> None:
    from studytool.study.text import clock_text

    total = len(run.questions)
    while (q := run.current) is not None:
        left = run.time_left()
        if left is not None and left <= 0:
            console.print("\n[bold red]⏱ Time is up.[/]")
            return
        clock = f"  ⏱ {clock_text(left)} left" if left is not None else ""
        console.rule(f"[bold]{run.index + 1}/{total}[/]{clock}", align="left", style="blue")
        _show_question(console, q, run.spec.lang)
        try:
            answered = _read_answer(console, run, q)
        except (EOFError, KeyboardInterrupt):
            console.print("\n[yellow]Quiz ended early.[/]")
            return
        if answered is None:
            console.print("\n[bold red]⏱ Time is up.[/]")
            return
        if answered == "quit":
            console.print("[yellow]Quiz ended early.[/]")
            return
        run.next()


def _show_question(console: Console, q: Question, lang: str) -> None:
    from studytool.latex import render as latex
    from studytool.study.quiz import Kind
    from studytool.study.text import label

    console.print(RichText(q.question(lang), style="bold"))
    if q.given:  # the card's `formula` is part of the answer: never shown before it
        console.print(RichText.assemble(("  formula: ", "dim"), (latex(q.given), "cyan")))
    if q.kind in (Kind.CHOICE, Kind.MULTI):
        for pos, text in enumerate(q.option_texts(lang)):
            console.print(RichText.assemble((f"  {label(pos)}) ", "bold"), text))
    elif q.kind is Kind.ORDER:
        for pos, text in enumerate(q.option_texts(lang)):
            console.print(RichText.assemble((f"  {pos + 1}. ", "bold"), text))
    hint = q.instruction(lang)
    if q.kind is Kind.ORDER:
        hint += " — type the numbers first to last, e.g. 2 3 1"
    elif q.kind is Kind.SELF:
        hint += " — Enter shows the answer"
    console.print(RichText(hint, style="dim italic"))


def _read_answer(console: Console, run: QuizRun, q: Question) -> Answered | str | None:
    """Ask until the answer parses. Returns the record, "quit", or None when time ran out."""
    from studytool.study.quiz import AnswerError, Kind, TimeUp

    lang = run.spec.lang
    if q.kind is Kind.SELF:
        raw = console.input("[dim](Enter)[/] ").strip()
        if raw in QUIT:
            return "quit"
        if raw in SKIP:
            return run.skip()
        console.print(RichText.assemble(("  answer: ", "bold green"), q.expected(lang)))
        prompt = "Did you know it? [bold](y/n)[/] "
    else:
        prompt = "[bold]>[/] "
    while True:
        raw = console.input(prompt).strip()
        if raw in QUIT:
            return "quit"
        try:
            if not raw and q.kind is Kind.SELF:
                raise AnswerError("answer y or n (or /skip)")
            if not raw or raw in SKIP:
                done = run.skip()
                console.print("[dim]skipped[/]")
                return done
            done = run.answer(q.parse(raw))
        except AnswerError as e:
            console.print(f"[red]{escape(str(e))}[/]")
            continue
        except TimeUp:
            return None
        if run.spec.feedback == "immediate" or q.kind is Kind.SELF:
            _feedback(console, done, lang)
        return done


def _verdict(a: Answered) -> RichText:
    if not a.answered:
        return RichText("– skipped", style="dim")
    if a.correct:
        return RichText("✓ right", style="bold green")
    if a.score > 0:
        return RichText(f"◐ {a.score:.0%}", style="bold yellow")
    return RichText("✗ wrong", style="bold red")


def _feedback(console: Console, a: Answered, lang: str) -> None:
    from studytool.study.quiz import Kind

    line = _verdict(a)
    if not a.correct and a.question.kind is not Kind.SELF:
        line.append("  answer: ", style="dim")
        line.append(a.question.expected(lang))
        if a.check is not None and a.check.detail and a.check.score > 0:
            line.append(f"  ({a.check.detail})", style="dim")
    console.print(line)
    if not a.correct and a.question.card.explain is not None:
        console.print(RichText(a.question.card.explain.get(lang), style="italic"))


def _print_results(console: Console, result: QuizResult) -> None:
    from studytool.study.text import clock_text

    lang = result.spec.lang
    console.rule("[bold]Results[/]", style="green")
    timed_out = "  [red](time ran out)[/]" if result.timed_out else ""
    console.print(
        f"[bold]Score {result.score:g} / {result.total}[/] ({result.percent:.0f}%)"
        f" · time {clock_text(result.duration_ms / 1000)}{timed_out}"
    )
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("question", max_width=max(20, console.width - 40), no_wrap=True)
    table.add_column("you", max_width=16, no_wrap=True, overflow="ellipsis")
    table.add_column("result", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    for i, a in enumerate(result.answers, 1):
        time_text = f"{a.duration_ms / 1000:.0f}s" if a.answered else ""
        table.add_row(
            str(i),
            RichText(a.question.question(lang), overflow="ellipsis"),
            RichText(a.response_text() or "", style="dim"),
            _verdict(a),
            time_text,
        )
    console.print(table)
    missed = result.missed
    if missed:
        console.print(f"\n[bold]Missed ({len(missed)})[/]")
        for a in missed:
            q = a.question
            console.print(RichText(f"• {q.question(lang)}", style="bold"))
            console.print(
                RichText.assemble(
                    ("  you: ", "dim"),
                    a.response_text() or "",
                    ("   right: ", "dim"),
                    (q.expected(lang), "green"),
                )
            )
            if q.card.explain is not None:
                console.print(RichText(f"  {q.card.explain.get(lang)}", style="italic"))


def _offer_review(console: Console, store: Store, result: QuizResult, quiz_id: int) -> None:
    from studytool.store.scheduler import utc_now
    from studytool.study.quiz import add_missed_to_review

    missed = result.missed
    if not missed:
        console.print("\n[green]Nothing missed.[/] Saved to your quiz history.")
        return
    try:
        raw = console.input(
            f"\nAdd the {len(missed)} missed question(s) to your next review? [bold](Y/n)[/] "
        )
    except (EOFError, KeyboardInterrupt):
        raw = "n"
    if raw.strip().lower() in ("", "y", "yes", "예", "네"):
        count = add_missed_to_review(store, result, quiz_id, utc_now())
        console.print(f"{count} card(s) will come first in your next review.")
    else:
        console.print("Not added. Saved to your quiz history.")


# ---- sheets --------------------------------------------------------------------------------


@quiz_app.command("sheet")
def sheet_cmd(
    deck: DeckOpt = None,
    tag: TagOpt = None,
    n: Annotated[int, typer.Option("--n", "-n", help="Number of questions.")] = 10,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Same seed, same sheet (default: a new one).", show_default=False
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md or html.")] = "md",
    lang: Annotated[str, typer.Option("--lang", help="en, ko or both.")] = "en",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the sheet to FILE and the answer key to FILE-answers (same suffix).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print a question sheet and a separate answer key for a study group."""
    from studytool.study.sheet import FORMATS, SHEET_LANGS, build_sheet

    with clean_errors():
        if fmt not in FORMATS:
            fail(f"--format must be 'md' or 'html', not '{fmt}'")
        if lang not in SHEET_LANGS:
            fail(f"--lang must be 'en', 'ko' or 'both', not '{lang}'")
        if fmt == "html" and out is None:
            fail("--format html writes two pages: give --out FILE.html")
        spec = _spec(deck, tag, n, "en" if lang == "both" else lang)
        seed = seed if seed is not None else random.SystemRandom().randrange(1, 1_000_000)
        lib, cards = _library_cards(spec.decks, spec.tags)
        title = _title(lib, spec.decks, spec.tags)
        sheet = build_sheet(cards, spec, seed=seed, lang=lang, fmt=fmt, title=title)
        if sheet.count == 0:
            fail("no cards match the chosen decks and tags")
        if out is None:
            # deck text to a terminal: control characters shown, never sent
            typer.echo(visible(sheet.questions + "\n---\n\n" + sheet.answers), nl=False)
            return
        key_path = out.with_name(f"{out.stem}-answers{out.suffix}")
        out.write_text(sheet.questions, encoding="utf-8")
        key_path.write_text(sheet.answers, encoding="utf-8")
        typer.echo(
            f"wrote {safe_path(out)} ({sheet.count} questions, seed {seed}) and"
            f" {safe_path(key_path)} (answer key)",
            err=True,
        )


# ---- history -------------------------------------------------------------------------------

_SPARK = "▁▂▃▄▅▆▇█"


def sparkline(percents: Sequence[float]) -> str:
    return "".join(_SPARK[min(7, int(p / 100 * 8))] for p in percents)


def _signed(x: float | None) -> str:
    return "—" if x is None else f"{x:+.0f} pts"


@quiz_app.command("history")
def history_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Quizzes to list.")] = 20,
) -> None:
    """Your past quizzes and the trend of your scores."""
    from studytool.store import quizlog
    from studytool.store.repo import Store
    from studytool.study.text import clock_text

    with clean_errors(), Store.open(get_settings()) as store:
        records = quizlog.history(store, limit=max(0, limit))
        trends = quizlog.trends(store)
    if as_json:
        emit_json({"quizzes": [r.to_dict() for r in records], "trends": trends.to_dict()})
        return
    console = SafeConsole(highlight=False)
    if not records:
        console.print("No quizzes yet: run [bold]studytool quiz[/].")
        return
    console.print(
        f"[bold]{trends.quizzes} quizzes[/] · average {trends.average or 0:.0f}%"
        f" · best {trends.best or 0:.0f}% · last 5 vs the 5 before: {_signed(trends.change)}"
    )
    console.print(f"recent: {sparkline([p for _, p in trends.recent])}  (oldest → newest)")
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("when (UTC)", "what", "questions", "score", "time"):
        table.add_column(col, justify="right" if col in ("questions", "score", "time") else "left")
    for r in records:
        table.add_row(
            r.started.strftime("%Y-%m-%d %H:%M"),
            escape(r.scope),
            f"{r.answered}/{r.questions}",
            f"{r.percent:.0f}%",
            clock_text(r.duration_ms / 1000),
        )
    console.print(table)
    if len(trends.scopes) > 1:
        console.print("\n[bold]By scope[/]")
        for s in trends.scopes:
            console.print(
                f"  {escape(s.scope)}: {s.quizzes} quizzes, average {s.average:.0f}%,"
                f" last {s.last:.0f}%, {_signed(s.change)}"
            )
    if trends.most_missed:
        console.print("\n[bold]Most missed[/]")
        for key, missed, asked in trends.most_missed:
            console.print(f"  {escape(key)}: missed {missed} of {asked}")
