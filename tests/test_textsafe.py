"""The one sanitiser: terminal escapes and markup from untrusted text never stay live."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rich.console import Console

from studytool.textsafe import find_control, rich_text, safe_path, strip_controls, visible

HOSTILE = "a\x1b]52;c;Y3VybCB4IHwgc2g=\x07b\x1b[2J\u009b31m\x7fc\x00"


def test_visible_escapes_every_control_but_newline_and_tab() -> None:
    out = visible(HOSTILE + "\nline\tcol")
    assert out == "a\\x1b]52;c;Y3VybCB4IHwgc2g=\\x07b\\x1b[2J\\x9b31m\\x7fc\\x00\nline\tcol"
    assert find_control(out) is None


def test_strip_controls_keeps_text_newlines_and_tabs() -> None:
    assert strip_controls(HOSTILE + "\n\tx\r") == "a]52;c;Y3VybCB4IHwgc2g=b[2J31mc\n\tx"
    assert find_control("plain\n\ttext 한국어") is None
    assert find_control("ab\x1bc") == 2


def test_safe_path_escapes_newlines_and_escapes() -> None:
    assert safe_path(Path("deck\x1b[2J\n.yaml")) == "deck\\x1b[2J\\x0a.yaml"


def test_rich_text_is_never_markup() -> None:
    text = rich_text("[@click=app.screenshot('x','/tmp')]x[/] [/b] \x1b[31m", style="bold")
    console = Console(record=True, force_terminal=False, width=200)
    console.print(text)
    out = console.export_text()
    assert "[@click=app.screenshot('x','/tmp')]x[/] [/b] \\x1b[31m" in out
    assert not text.spans  # no markup spans were parsed out of the string
    assert text.style == "bold"


def test_textsafe_imports_no_rich() -> None:
    code = "import sys, studytool.textsafe; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pictures_keeps_one_cell_per_control_character() -> None:
    from studytool.textsafe import pictures

    assert pictures("a\x1b]2;t\x07\tb\n\x9b\x7f") == "a\u241b]2;t\u2407\tb\n\ufffd\u2421"
