"""Progress store: FSRS scheduling (the `fsrs` package) over a SQLite review log.

Public API (see repo.py for the Store contract):

    Store.open(settings) -> Store     sync, preview, grade, undo, bury, suspend, sessions
    compute_stats(store, cards, now)  -> Stats (.to_dict() for JSON)
    export_progress / import_progress progress as JSON, exact round trip
    optimize(store)                   personal parameters (torch runs in a child process)
    run_doctor(store, cards)          orphans and inconsistencies
"""

from __future__ import annotations

from studytool.store.doctor import DoctorReport, Finding, run_doctor
from studytool.store.errors import StoreError, UnknownCardError
from studytool.store.optimize import OptimizeResult, optimize
from studytool.store.repo import (
    CardRecord,
    GradeResult,
    Mode,
    QueueSnapshot,
    Store,
    SyncResult,
    UndoResult,
)
from studytool.store.scheduler import CardState, Rating, StudyScheduler
from studytool.store.stats import Retention, Stats, compute_stats
from studytool.store.transfer import TransferResult, export_progress, import_progress

__all__ = [
    "CardRecord",
    "CardState",
    "DoctorReport",
    "Finding",
    "GradeResult",
    "Mode",
    "OptimizeResult",
    "QueueSnapshot",
    "Rating",
    "Retention",
    "Stats",
    "Store",
    "StoreError",
    "StudyScheduler",
    "SyncResult",
    "TransferResult",
    "UndoResult",
    "UnknownCardError",
    "compute_stats",
    "export_progress",
    "import_progress",
    "optimize",
    "run_doctor",
]
