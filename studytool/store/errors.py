"""The one exception type the store raises; every message is a single clean line."""

from __future__ import annotations


class StoreError(Exception):
    """The progress database cannot be used: corrupt, unreadable, busy, or a bad input file."""


class UnknownCardError(StoreError):
    """A review key that the store has never seen (call `Store.sync` first)."""
