"""A one-line title bar: the app title and the screen's sub-title, as one widget.

Textual's Header mounts four widgets (icon, title, clock) and their styles; on the Home screen
that was a tenth of the first frame. This shows the same text and follows `sub_title` changes
(the editor marks unsaved changes there) and the screen's own title.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from studytool.textsafe import visible


class TitleBar(Static):
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        text-align: center;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        for owner, name in (
            (self.app, "title"),
            (self.screen, "title"),
            (self.screen, "sub_title"),
        ):
            self.watch(owner, name, self._refresh_title)

    def _refresh_title(self) -> None:
        # titles carry deck titles and file names: control characters shown as escapes
        title, sub = (
            visible(self.screen.title or self.app.title),
            visible(self.screen.sub_title or ""),
        )
        self.update(Content.assemble((title, "bold"), (f" · {sub}" if sub else "", "dim")))
