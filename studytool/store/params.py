"""Personal FSRS parameters as files in the progress repository, so they sync with the log.

    progress/params/<device>.json   the parameters `optimize` adopted on that device

A device writes only its own file, so the files never conflict in git. Every machine uses
the same one: the file fitted on the most log events (ties: the later last event id, then
the text), a rule that reads nothing but the files. Once they have synced, every machine
schedules with the same weights, and the fit itself is a function of the merged log alone
(store/optimize.py), so two devices that fit the same log write the same numbers.

A file holds no wall-clock time: `events` and `through` say which log it was fitted on.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studytool.fsio import atomic_write

PARAMS_DIR = "params"
N_PARAMETERS = 21  # fsrs 6


@dataclass(frozen=True, slots=True)
class ParamsFile:
    parameters: tuple[float, ...]
    events: int  # events of the merged log the fit was made from
    through: str  # the id of the last of them
    reviews: int  # qualifying reviews among them
    fsrs_version: str
    device: str

    @property
    def tag(self) -> str:
        """Names the weights in each review's `sched` ("p" and 10 hex digits of their hash)."""
        text = json.dumps(list(self.parameters), separators=(",", ":"))
        return "p" + hashlib.sha256(text.encode()).hexdigest()[:10]

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": list(self.parameters),
            "events": self.events,
            "through": self.through,
            "reviews": self.reviews,
            "fsrs_version": self.fsrs_version,
        }

    def rank(self) -> tuple[int, str, str]:
        return (self.events, self.through, json.dumps(self.to_dict(), sort_keys=True))


def params_dir(progress_root: Path) -> Path:
    return progress_root / PARAMS_DIR


def write_params(progress_root: Path, chosen: ParamsFile) -> Path:
    """Write this device's file (replacing its earlier one), atomically."""
    path = params_dir(progress_root) / f"{chosen.device}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(chosen.to_dict(), sort_keys=True, indent=1) + "\n"
    atomic_write(path, text.encode())
    return path


def _parse(path: Path) -> ParamsFile | None:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        params = tuple(float(p) for p in d["parameters"])
        if len(params) != N_PARAMETERS or not all(math.isfinite(p) for p in params):
            return None
        return ParamsFile(
            params,
            int(d["events"]),
            str(d["through"]),
            int(d["reviews"]),
            str(d["fsrs_version"]),
            path.stem,
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None  # a damaged or foreign file never decides the schedule


def active_params(progress_root: Path) -> ParamsFile | None:
    """The parameters every machine uses: the file fitted on the most events; None: none."""
    files = sorted(params_dir(progress_root).glob("*.json"))
    parsed = [p for p in map(_parse, files) if p is not None]
    return max(parsed, key=ParamsFile.rank, default=None)


def through_ms(chosen: ParamsFile) -> int | None:
    """When the last event the fit saw happened: event ids begin with their time in ms
    (eventlog.event_id); None: an id of another shape."""
    head = chosen.through.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def latest_fit_ms(progress_root: Path) -> int:
    """The time of the newest fit recorded by any device's file (synced ones too), by the
    last event each was fitted through; 0: none. A few small files, cheap enough for Home."""
    files = sorted(params_dir(progress_root).glob("*.json"))
    times = [through_ms(p) for p in map(_parse, files) if p is not None]
    return max((t for t in times if t is not None), default=0)
