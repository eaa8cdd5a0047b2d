"""A one-line footer of the screen's bindings, drawn as text in a single widget.

Textual's Footer builds a widget per key and rebuilds them on every focus change, which costs
more than the rest of the Home screen's first frame; this draws the same information as one
line of text. Keys are clickable (they simulate the key press), disabled ones are dimmed.
A binding with a `key.<id>` label (study.text) is described in the app's language.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from studytool.study.text import LABELS, t


def binding_description(binding: Binding, lang: str) -> str:
    """What the binding does, in `lang` where CHROME has its `key.<id>`; a numbered family
    of keys (`review.choice-1`, `review.choice-a`, …) may share one `key.review.choice`."""
    if not binding.id:
        return binding.description
    for key in (f"key.{binding.id}", f"key.{binding.id.rsplit('-', 1)[0]}"):
        if key in LABELS["en"]:
            return t(key, lang)
    return binding.description


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $footer-description-foreground;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", lambda: self._bindings_changed(self.screen), init=False)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        self.update(self.keys_content(screen))

    def keys_content(self, screen: Screen) -> Content:
        parts: list[Content] = []
        seen: set[str] = set()
        palette = None
        lang = getattr(self.app, "lang", "en")
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if key == self.app.COMMAND_PALETTE_BINDING:
                palette = binding
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            display = self.app.get_key_display(binding)
            key_style = "bold $footer-key-foreground" if active.enabled else "$text-disabled"
            desc_style = "" if active.enabled else "$text-disabled"
            parts.append(
                Content.assemble(
                    (f" {display} ", key_style),
                    (binding_description(binding, lang), desc_style),
                    " ",
                ).stylize_before(f"@click=app.simulate_key({key!r})")
            )
        line = Content("").join(parts)
        if palette is not None:
            hint = Content.assemble(
                "▏",
                (f"{self.app.get_key_display(palette)} ", "bold $footer-key-foreground"),
                f"{t('key.palette', lang)} ",
            ).stylize_before("@click=app.command_palette")
            room = self.size.width - line.cell_length - hint.cell_length
            line = Content.assemble(line, " " * max(1, room), hint) if room > 0 else line
        return line

    def on_resize(self) -> None:
        self._bindings_changed(self.screen)
