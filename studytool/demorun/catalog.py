"""The demo catalogue, read from ``demos/<name>.py`` sources with :mod:`ast`.

Nothing here imports a demo module or torch: each module's ``INFO = DemoInfo(...)`` must be
a literal call (strings, numbers, bools, None, tuples/lists, ``Param(...)`` calls and
arithmetic on number literals such as ``2**31 - 1``), which is evaluated by a tiny safe
interpreter.  Results are cached per process
(:func:`clear_cache` forgets them).
"""

from __future__ import annotations

import ast
import difflib
import functools
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studytool._paths import demos_dir

from .params import Param, Prediction, resolve_params

__all__ = [
    "CatalogError",
    "DemoMeta",
    "UnknownDemoError",
    "catalog_errors",
    "clear_cache",
    "demo_names",
    "get_demo",
    "list_demos",
]


class CatalogError(ValueError):
    """A demo module whose INFO cannot be read statically."""


class UnknownDemoError(LookupError):
    """``get_demo`` was given a name that is not a demo; the message suggests a close one."""

    def __init__(self, message: str, name: str = "", suggestion: str | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.suggestion = suggestion

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])


@dataclass(frozen=True)
class DemoMeta:
    name: str
    title_en: str
    title_ko: str
    concept: str
    claim: str
    params: tuple[Param, ...] = ()
    cards: tuple[str, ...] = ()
    predictions: tuple[Prediction, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def resolve_params(
        self, given: Mapping[str, Any] | None, quick: bool = False
    ) -> dict[str, Any]:
        """Coerce and check ``given`` with the demos' own rules (``DemoParamError``)."""
        return resolve_params(self, given, quick)


# --------------------------------------------------------------------------- ast reading

_PARAM_FIELDS = ("name", "default", "help", "min", "max", "choices", "quick")
_PREDICTION_FIELDS = (
    "id",
    "prompt_en",
    "prompt_ko",
    "options_en",
    "options_ko",
    "tolerance",
    "rel_tolerance",
    "unit",
    "card",
)
_INFO_FIELDS = (
    "name",
    "title_en",
    "title_ko",
    "concept",
    "claim",
    "params",
    "cards",
    "predictions",
)


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}


def _literal(node: ast.expr, where: str) -> Any:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str | int | float | bool) or node.value is None:
            return node.value
        raise CatalogError(f"{where}: unsupported constant {node.value!r}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        val = _literal(node.operand, where)
        if isinstance(val, bool) or not isinstance(val, int | float):
            raise CatalogError(f"{where}: unary sign on a non-number")
        return -val if isinstance(node.op, ast.USub) else val
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        # constant arithmetic such as 2**31 - 1 or 1e-3 * 5 (never names or calls)
        left, right = _literal(node.left, where), _literal(node.right, where)
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
        strings = isinstance(node.op, ast.Add) and all(isinstance(v, str) for v in (left, right))
        if not (numeric or strings):
            raise CatalogError(f"{where}: arithmetic on non-numbers in INFO")
        if isinstance(node.op, ast.Pow) and (abs(right) > 256 or abs(left) > 2**64):
            raise CatalogError(f"{where}: power too large in INFO")
        try:
            return _BINOPS[type(node.op)](left, right)
        except (ArithmeticError, ValueError) as exc:
            raise CatalogError(f"{where}: {exc}") from None
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_literal(e, where) for e in node.elts)
    if isinstance(node, ast.Call) and _call_name(node.func) == "Param":
        return _param(node, where)
    if isinstance(node, ast.Call) and _call_name(node.func) == "Prediction":
        return _prediction(node, where)
    if isinstance(node, ast.JoinedStr):
        raise CatalogError(f"{where}: f-strings are not allowed in INFO (it is read with ast)")
    raise CatalogError(
        f"{where}: INFO must contain only literals and Param(...) calls, "
        f"found {ast.dump(node)[:80]}"
    )


def _bind(node: ast.Call, fields: tuple[str, ...], what: str, where: str) -> dict[str, Any]:
    if len(node.args) > len(fields):
        raise CatalogError(f"{where}: too many positional arguments to {what}")
    out: dict[str, Any] = {}
    for fname, arg in zip(fields, node.args, strict=False):
        if isinstance(arg, ast.Starred):
            raise CatalogError(f"{where}: *args are not allowed in {what}")
        out[fname] = _literal(arg, where)
    for kw in node.keywords:
        if kw.arg is None:
            raise CatalogError(f"{where}: **kwargs are not allowed in {what}")
        if kw.arg not in fields:
            raise CatalogError(f"{where}: {what} has no field {kw.arg!r}")
        if kw.arg in out:
            raise CatalogError(f"{where}: {what} got {kw.arg!r} twice")
        out[kw.arg] = _literal(kw.value, where)
    return out


def _param(node: ast.Call, where: str) -> Param:
    kw = _bind(node, _PARAM_FIELDS, "Param", where)
    for req in ("name", "default", "help"):
        if req not in kw:
            raise CatalogError(f"{where}: Param lacks {req!r}")
    if "choices" in kw:
        kw["choices"] = tuple(kw["choices"])
    return Param(**kw)


def _prediction(node: ast.Call, where: str) -> Prediction:
    kw = _bind(node, _PREDICTION_FIELDS, "Prediction", where)
    for req in ("id", "prompt_en", "prompt_ko"):
        if not isinstance(kw.get(req), str):
            raise CatalogError(f"{where}: Prediction.{req} must be a string literal")
    for opt in ("options_en", "options_ko"):
        kw[opt] = tuple(kw.get(opt, ()))
    if len(kw["options_en"]) != len(kw["options_ko"]):
        raise CatalogError(f"{where}: Prediction {kw['id']!r} has options in one language only")
    if len(kw["options_en"]) == 1:
        raise CatalogError(f"{where}: Prediction {kw['id']!r} has a single option")
    return Prediction(**kw)


def _find_info(tree: ast.Module) -> ast.Call | None:
    for stmt in tree.body:
        target = value = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        if (
            isinstance(target, ast.Name)
            and target.id == "INFO"
            and isinstance(value, ast.Call)
            and _call_name(value.func) == "DemoInfo"
        ):
            return value
    return None


def read_meta(path: Path) -> DemoMeta:
    """Read one demo module's INFO statically (raises :class:`CatalogError`)."""
    where = path.name
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        raise CatalogError(f"{where}: syntax error: {exc}") from None
    call = _find_info(tree)
    if call is None:
        raise CatalogError(f"{where}: no module-level INFO = DemoInfo(...)")
    kw = _bind(call, _INFO_FIELDS, "DemoInfo", where)
    for req in ("name", "title_en", "title_ko", "concept", "claim"):
        if not isinstance(kw.get(req), str):
            raise CatalogError(f"{where}: DemoInfo.{req} must be a string literal")
    params = kw.get("params", ())
    if not all(isinstance(p, Param) for p in params):
        raise CatalogError(f"{where}: DemoInfo.params must be a tuple of Param(...)")
    kw["params"] = tuple(params)
    kw["cards"] = tuple(kw.get("cards", ()))
    predictions = tuple(kw.get("predictions", ()))
    if not all(isinstance(q, Prediction) for q in predictions):
        raise CatalogError(f"{where}: DemoInfo.predictions must be a tuple of Prediction(...)")
    if len({q.id for q in predictions}) != len(predictions):
        raise CatalogError(f"{where}: duplicate prediction ids")
    kw["predictions"] = predictions
    if kw["name"] != path.stem:
        raise CatalogError(f"{where}: INFO.name is {kw['name']!r}, expected {path.stem!r}")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise CatalogError(f"{where}: duplicate param names")
    if not any(p.name == "seed" for p in params):
        raise CatalogError(f"{where}: every demo needs a 'seed' param")
    return DemoMeta(path=path, **kw)


@functools.lru_cache(maxsize=8)
def _scan(directory: str) -> tuple[tuple[DemoMeta, ...], tuple[str, ...]]:
    metas: list[DemoMeta] = []
    errors: list[str] = []
    root = Path(directory)
    if root.is_dir():
        for path in sorted(root.glob("*.py")):
            if path.name.startswith("_"):
                continue
            try:
                metas.append(read_meta(path))
            except (CatalogError, OSError, UnicodeDecodeError) as exc:
                errors.append(str(exc))
    return tuple(metas), tuple(errors)


def _dir(directory: Path | str | None) -> str:
    return str(Path(directory) if directory is not None else demos_dir())


def list_demos(directory: Path | str | None = None) -> list[DemoMeta]:
    """Every readable demo, sorted by name (broken modules are in :func:`catalog_errors`)."""
    return list(_scan(_dir(directory))[0])


def catalog_errors(directory: Path | str | None = None) -> list[str]:
    """One message per demo module whose INFO could not be read."""
    return list(_scan(_dir(directory))[1])


def demo_names(directory: Path | str | None = None) -> set[str]:
    return {m.name for m in list_demos(directory)}


def get_demo(name: str, directory: Path | str | None = None) -> DemoMeta:
    for meta in list_demos(directory):
        if meta.name == name:
            return meta
    names = sorted(demo_names(directory))
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        msg = f"unknown demo {name!r}; did you mean {close[0]!r}?"
    else:
        msg = f"unknown demo {name!r}; see 'studytool demo list'"
    raise UnknownDemoError(msg, name, close[0] if close else None)


def clear_cache() -> None:
    _scan.cache_clear()
