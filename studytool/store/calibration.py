"""How well predicted recall matches what happened: log loss, RMSE(bins) and the reliability
diagram, over (predicted R, passed) pairs. Pure functions; the optimizer and the statistics
both measure with these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

BINS = 10
_EPS = 1e-7  # keeps log() finite for a prediction of exactly 0 or 1


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    low: float  # predicted recall in [low, high)
    high: float
    count: int
    predicted: float | None  # mean predicted recall of the reviews in this bin
    actual: float | None  # their pass rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "predicted": self.predicted,
            "actual": self.actual,
        }


@dataclass(frozen=True, slots=True)
class Calibration:
    reviews: int
    log_loss: float | None
    rmse_bins: float | None
    bins: tuple[CalibrationBin, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "log_loss": self.log_loss,
            "rmse_bins": self.rmse_bins,
            "bins": [b.to_dict() for b in self.bins],
        }


def log_loss(pairs: Sequence[tuple[float, bool]]) -> float | None:
    """Mean binary cross-entropy of the predictions; None without pairs."""
    if not pairs:
        return None
    total = 0.0
    for p, passed in pairs:
        p = min(max(p, _EPS), 1 - _EPS)
        total -= math.log(p if passed else 1 - p)
    return total / len(pairs)


def reliability(pairs: Iterable[tuple[float, bool]], bins: int = BINS) -> list[CalibrationBin]:
    """`bins` equal-width bins of predicted recall, each with its count, mean prediction and
    pass rate."""
    n = [0] * bins
    pred = [0.0] * bins
    hits = [0] * bins
    for p, passed in pairs:
        i = min(bins - 1, max(0, int(p * bins)))
        n[i] += 1
        pred[i] += p
        hits[i] += bool(passed)
    return [
        CalibrationBin(
            i / bins,
            (i + 1) / bins,
            n[i],
            pred[i] / n[i] if n[i] else None,
            hits[i] / n[i] if n[i] else None,
        )
        for i in range(bins)
    ]


def rmse_bins(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> float | None:
    """Root mean squared gap between mean prediction and pass rate per bin, weighted by the
    reviews in each bin: the calibration error of the reliability diagram."""
    if not pairs:
        return None
    err = sum(
        b.count * ((b.predicted or 0.0) - (b.actual or 0.0)) ** 2 for b in reliability(pairs, bins)
    )
    return math.sqrt(err / len(pairs))


def calibrate(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> Calibration:
    return Calibration(
        len(pairs), log_loss(pairs), rmse_bins(pairs, bins), tuple(reliability(pairs, bins))
    )
