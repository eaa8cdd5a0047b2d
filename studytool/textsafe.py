"""The one sanitiser for untrusted text: deck, note, CSV, apkg, config and demo strings.

Such text may carry terminal escape sequences (ESC, CSI, OSC 52 clipboard writes, BEL) or Rich
markup. Before it reaches a terminal or Textual it goes through `visible` (control characters
shown as escapes such as `\\x1b`) or `rich_text` (a `rich.text.Text`, which is never parsed as
markup). Only the standard library is imported at module level, so `content` can use it.
"""

from __future__ import annotations

import re
from os import PathLike
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# C0 controls except tab and newline, DEL, and the C1 block (U+0080..U+009F, e.g. CSI U+009B).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same, but line breaks and tabs count too: one-line fields such as file names.
CONTROL_LINE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def find_control(text: str) -> int | None:
    """The index of the first control character other than newline and tab, or None."""
    m = CONTROL_RE.search(text)
    return m.start() if m else None


def visible(text: str) -> str:
    """`text` with every control character except newline and tab shown as `\\xNN`."""
    return CONTROL_RE.sub(_escape, text)


def strip_controls(text: str, lines: bool = True) -> str:
    """`text` without control characters other than newline and tab (without those too when
    `lines` is false: a name or a title)."""
    return (CONTROL_RE if lines else CONTROL_LINE_RE).sub("", text)


# one cell per control character (Unicode control pictures, U+FFFD for C1): for text that is
# laid out by cells, where a four-character escape would move everything after it
_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_PICTURES |= {0x7F: 0x2421} | {c: 0xFFFD for c in range(0x80, 0xA0)}


def pictures(text: str) -> str:
    """`text` with each control character except newline and tab as one visible symbol."""
    return text.translate(_PICTURES)


def one_line(text: str) -> str:
    """`text` for a single output line: newlines and tabs are shown as escapes too."""
    return CONTROL_LINE_RE.sub(_escape, text)


def safe_path(path: str | PathLike[str]) -> str:
    """A file name safe to print: every control character (newline included) as an escape."""
    return one_line(str(path))


def rich_text(text: str, style: str = "") -> Text:
    """Untrusted text for Rich or Textual: a `Text` object, so `[...]` is never markup, with
    control characters made visible."""
    from rich.text import Text

    return Text(visible(text), style=style)
