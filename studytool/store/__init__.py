"""Progress store: FSRS scheduling (the `fsrs` package) over a SQLite review log.

Public API (see repo.py for the Store contract):

    Store.open(settings) -> Store     sync, preview, grade, undo, bury, suspend, sessions
    compute_stats(store, cards, now)  -> Stats (.to_dict() for JSON)
    export_progress / import_progress progress as JSON, exact round trip
    optimize.optimize(store)          personal parameters (torch runs in a child process)
    run_doctor(store, cards)          orphans and inconsistencies
    restore_backup(data_dir, backup)  put a backup back (the current files are set aside)
    is_protected_path(path, data_dir) the database, its -wal/-shm/-ack and backups: no export

The names are loaded on first use (PEP 562): importing `studytool.store.errors` or
`studytool.store.state` must not load fsrs and the whole store. `optimize` is not among them:
once the submodule of that name is imported, the package attribute is the module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studytool.store.doctor import DoctorReport, Finding, run_doctor
    from studytool.store.errors import StoreError, UnknownCardError
    from studytool.store.files import is_protected_path
    from studytool.store.optimize import OptimizeResult
    from studytool.store.repo import (
        CardRecord,
        GradeResult,
        Mode,
        QueueSnapshot,
        Store,
        SyncResult,
        UndoResult,
    )
    from studytool.store.restore import RestoreResult, restore_backup
    from studytool.store.scheduler import CardState, Rating, StudyScheduler
    from studytool.store.state import FsrsState
    from studytool.store.stats import Retention, Stats, compute_stats
    from studytool.store.transfer import TransferResult, export_progress, import_progress

# public name -> the submodule that defines it
_HOME = {
    "CardRecord": "repo",
    "CardState": "scheduler",
    "DoctorReport": "doctor",
    "Finding": "doctor",
    "FsrsState": "state",
    "GradeResult": "repo",
    "Mode": "repo",
    "OptimizeResult": "optimize",
    "QueueSnapshot": "repo",
    "Rating": "scheduler",
    "RestoreResult": "restore",
    "Retention": "stats",
    "Stats": "stats",
    "Store": "repo",
    "StoreError": "errors",
    "StudyScheduler": "scheduler",
    "SyncResult": "repo",
    "TransferResult": "transfer",
    "UndoResult": "repo",
    "UnknownCardError": "errors",
    "compute_stats": "stats",
    "export_progress": "transfer",
    "import_progress": "transfer",
    "is_protected_path": "files",
    "restore_backup": "restore",
    "run_doctor": "doctor",
}

__all__ = [
    "CardRecord",
    "CardState",
    "DoctorReport",
    "Finding",
    "FsrsState",
    "GradeResult",
    "Mode",
    "OptimizeResult",
    "QueueSnapshot",
    "Rating",
    "RestoreResult",
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
    "is_protected_path",
    "restore_backup",
    "run_doctor",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])
