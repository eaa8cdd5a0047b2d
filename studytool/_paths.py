"""Where the built-in decks and demos live: in a checkout, or inside the installed wheel."""

from __future__ import annotations

from pathlib import Path

PKG_DIR = Path(__file__).resolve().parent


def content_dir() -> Path:
    shipped = PKG_DIR / "decks"
    return shipped if shipped.is_dir() else PKG_DIR.parent / "content"


def decks_installed() -> bool:
    """Whether the built-in decks are the installed package's copy (`studytool/decks` in
    site-packages), which an upgrade replaces, rather than a checkout's `content/`."""
    return content_dir() == PKG_DIR / "decks"


def demos_dir() -> Path:
    shipped = PKG_DIR / "demos"
    return shipped if shipped.is_dir() else PKG_DIR.parent / "demos"


def demos_package() -> str:
    """The importable name of the demos package.  A checkout's top-level ``demos`` imports only
    where the checkout root is on the path: the runner gives its worker that ``PYTHONPATH``."""
    return "studytool.demos" if (PKG_DIR / "demos").is_dir() else "demos"
