"""Domain text shared by every front end: labels, cloze sides, and how numbers and times read.

Plain strings only (no Rich): the CLI, the TUI, the exporters and the question sheets all
format the same way.
"""

from __future__ import annotations

from datetime import timedelta

from studytool.content.model import CLOZE_RE

LABELS = {
    "en": {"answer": "Answer", "explain": "Why", "errata": "Your note said", "fix": "Correct",
           "source": "Source", "formula": "Formula", "true": "True", "false": "False",
           "ref": "Reference"},
    "ko": {"answer": "정답", "explain": "해설", "errata": "노트에는 이렇게 적혀 있었습니다",
           "fix": "바로잡기", "source": "출처", "formula": "수식", "true": "참 (O)",
           "false": "거짓 (X)", "ref": "참고"},
}  # fmt: skip

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def cloze_front(text: str) -> str:
    """Blanks as [...] or [hint]."""
    return CLOZE_RE.sub(lambda m: f"[{m.group(3) or '...'}]", text)


def cloze_back(text: str) -> str:
    return CLOZE_RE.sub(lambda m: m.group(2), text)


def label(i: int) -> str:
    """Display label of the i-th choice: a, b, c, ..."""
    return LETTERS[i] if i < len(LETTERS) else str(i + 1)


def format_number(x: float) -> str:
    """262144 -> '262,144' (never '2.6e+05'); 0.001 -> '0.001'."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.6g}"


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    minutes, s = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{s:02d}" if hours else f"{minutes}:{s:02d}"


def format_interval(delta: timedelta) -> str:
    """Anki-style short interval: <1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    minutes = delta.total_seconds() / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{minutes:.0f}m"
    hours = minutes / 60
    if hours < 24:
        return f"{hours:.0f}h"
    days = hours / 24
    if days < 30:
        return f"{days:.0f}d"
    if days < 365:
        months = days / 30.4
        return f"{months:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def format_duration(ms: int) -> str:
    if ms < 10_000:
        return f"{ms / 1000:.1f}s"
    seconds = round(ms / 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
