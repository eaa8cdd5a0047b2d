"""Where the built-in decks and demos live: in a checkout, or inside the installed wheel."""

from __future__ import annotations

import sys
from pathlib import Path

PKG_DIR = Path(__file__).resolve().parent


def content_dir() -> Path:
    shipped = PKG_DIR / "decks"
    return shipped if shipped.is_dir() else PKG_DIR.parent / "content"


def demos_dir() -> Path:
    shipped = PKG_DIR / "demos"
    return shipped if shipped.is_dir() else PKG_DIR.parent / "demos"


def demos_package() -> str:
    """The importable name of the demos package; a checkout puts its root on sys.path."""
    if (PKG_DIR / "demos").is_dir():
        return "studytool.demos"
    root = str(PKG_DIR.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return "demos"
