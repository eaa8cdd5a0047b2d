"""The demo parameter model: ``Param``, ``DemoInfo`` and the rules that turn given values into
a demo's parameters.

Demo modules write ``INFO = DemoInfo(...)`` with these classes; the app never imports a demo
(the catalogue reads INFO with ``ast``) but checks form and command-line values with
:func:`resolve_params` here, so the app and the worker apply the same rules.  Pure Python:
no torch, no numpy.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "DemoError",
    "DemoInfo",
    "DemoParamError",
    "HasParams",
    "Param",
    "ParamValue",
    "Prediction",
    "parse_param_args",
    "resolve_params",
]

ParamValue = int | float | str | bool


@dataclass(frozen=True)
class Param:
    name: str
    default: ParamValue
    help: str
    min: float | None = None  # numeric bounds, inclusive
    max: float | None = None
    choices: tuple[str, ...] = ()  # for str params
    quick: ParamValue | None = None  # value used by --quick (None: same as default)

    @property
    def kind(self) -> str:
        """``bool``, ``int``, ``float`` or ``str``."""
        return type(self.default).__name__


@dataclass(frozen=True)
class Prediction:
    """A question the student answers before a run; the run computes the right answer.

    A choice question has options (the run's ``Verdict.answers[id]`` is the index of the right
    one); a number question has none (the answer is a number, and a guess is right when
    ``|guess - answer| <= max(tolerance, rel_tolerance * |answer|)``)."""

    id: str  # unique within the demo, e.g. "closest"
    prompt_en: str
    prompt_ko: str
    options_en: tuple[str, ...] = ()
    options_ko: tuple[str, ...] = ()
    tolerance: float = 0.0
    rel_tolerance: float = 0.0
    unit: str = ""
    card: str = ""  # the linked card a prediction is logged against ("": the demo's first card)

    @property
    def kind(self) -> str:
        """``choice`` or ``number``."""
        return "choice" if self.options_en else "number"


@dataclass(frozen=True)
class DemoInfo:
    name: str  # module name, e.g. "resnet"
    title_en: str
    title_ko: str
    concept: str  # one short phrase, e.g. "skip connections"
    claim: str  # the claim it demonstrates, in one English sentence
    params: tuple[Param, ...] = ()
    cards: tuple[str, ...] = ()  # full card ids "deck/card" it illustrates
    predictions: tuple[Prediction, ...] = ()  # asked before a run, scored from its numbers


class HasParams(Protocol):
    """A demo's name and parameters: a :class:`DemoInfo` or the catalogue's ``DemoMeta``."""

    @property
    def name(self) -> str: ...

    @property
    def params(self) -> tuple[Param, ...]: ...


class DemoError(Exception):
    """Base class of errors raised by the demo framework."""


class DemoParamError(DemoError, ValueError):
    """A bad parameter value, an unknown parameter name or an unavailable device."""


_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f"}


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    names = sorted(options)
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if names:
        return f"; known: {', '.join(names)}"
    return ""


def _to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise DemoParamError(f"param {name!r}: {value!r} is not a boolean (use true/false)")


def _to_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise DemoParamError(f"param {name!r}: {value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise DemoParamError(f"param {name!r}: {value!r} is not an integer")
    s = str(value).strip()
    try:
        return int(s)
    except ValueError:
        pass
    try:
        f = float(s)
    except ValueError:
        raise DemoParamError(f"param {name!r}: {value!r} is not an integer") from None
    if math.isfinite(f) and f.is_integer():
        return int(f)
    raise DemoParamError(f"param {name!r}: {value!r} is not an integer")


def _to_float(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise DemoParamError(f"param {name!r}: {value!r} is not a number")
    if isinstance(value, int | float):
        f = float(value)
    else:
        try:
            f = float(str(value).strip())
        except ValueError:
            raise DemoParamError(f"param {name!r}: {value!r} is not a number") from None
    if not math.isfinite(f):
        raise DemoParamError(f"param {name!r}: {value!r} is not a finite number")
    return f


def _coerce(p: Param, value: Any) -> ParamValue:
    # bool before int: True is an int too
    if isinstance(p.default, bool):
        return _to_bool(p.name, value)
    if isinstance(p.default, int):
        return _to_int(p.name, value)
    if isinstance(p.default, float):
        return _to_float(p.name, value)
    s = str(value)
    if p.choices and s not in p.choices:
        close = difflib.get_close_matches(s, p.choices, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DemoParamError(f"param {p.name!r}: {s!r} is not one of {', '.join(p.choices)}{hint}")
    return s


def _fmt(p: Param, x: float) -> str:
    if isinstance(p.default, int) and float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def _check_range(p: Param, value: ParamValue) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if p.min is not None and value < p.min:
        raise DemoParamError(f"param {p.name!r}: {value} is below the minimum {_fmt(p, p.min)}")
    if p.max is not None and value > p.max:
        raise DemoParamError(f"param {p.name!r}: {value} is above the maximum {_fmt(p, p.max)}")


def resolve_params(
    info: HasParams, given: Mapping[str, Any] | None, quick: bool = False
) -> dict[str, Any]:
    """Defaults (or ``quick`` values) overridden by ``given``; coerced and range-checked.

    Raises :class:`DemoParamError` with a one-line message for unknown names (with a
    did-you-mean), values of the wrong type, values out of range or not among the choices.
    """
    given = dict(given or {})
    by_name = {p.name: p for p in info.params}
    for key in given:
        if key not in by_name:
            raise DemoParamError(
                f"unknown param {key!r} for demo {info.name!r}" + _did_you_mean(key, by_name)
            )
    out: dict[str, Any] = {}
    for p in info.params:
        if p.name in given:
            value = _coerce(p, given[p.name])
        elif quick and p.quick is not None:
            value = _coerce(p, p.quick)
        else:
            value = _coerce(p, p.default)
        _check_range(p, value)
        out[p.name] = value
    return out


def parse_param_args(items: Iterable[str]) -> dict[str, str]:
    """``["lr=0.1", "steps=50,seed=2", "widths=1,64"]`` -> ``{"lr": "0.1", "steps": "50",
    "seed": "2", "widths": "1,64"}`` (DemoParamError if bad).

    A comma separates two settings only when the piece after it has its own ``=``; otherwise
    it belongs to the value before it, so list parameters (``widths=1,4,64``) can be set."""
    out: dict[str, str] = {}
    for item in items:
        last: str | None = None
        for part in str(item).split(","):
            if "=" not in part:
                if last is None:
                    if not part.strip():
                        continue
                    raise DemoParamError(f"bad --param {part.strip()!r}: expected NAME=VALUE")
                out[last] = f"{out[last]},{part.strip()}" if part.strip() else out[last]
                continue
            k, v = part.split("=", 1)
            k = k.strip().replace("-", "_")
            if not k:
                raise DemoParamError(f"bad --param {part.strip()!r}: expected NAME=VALUE")
            out[k] = v.strip()
            last = k
    return out
