"""A safe arithmetic evaluator for generated questions: no eval, only whitelisted syntax."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

MAX_LENGTH = 200
MAX_EXPONENT = 64
MAX_MAGNITUDE = 1e30

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_FUNCS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}
_ARITY = {"min": (2, None), "max": (2, None), "abs": (1, 1)}  # (at least, at most) arguments
# what the user wrote, for messages: '^' is the usual slip for '**'
_OPERATOR_NAMES = {
    ast.BitXor: "'^' (XOR, not a power: write x**2)",
    ast.BitAnd: "'&'",
    ast.BitOr: "'|'",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.MatMult: "'@'",
    ast.Invert: "'~'",
    ast.Not: "'not'",
}
_NODE_NAMES = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.IfExp: "if/else",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.Tuple: "a tuple",
    ast.List: "a list",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.JoinedStr: "a string",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "unpacking (*)",
}

Number = int | float


class ExprError(ValueError):
    """The expression is not allowed or cannot be evaluated."""


def parse(source: str) -> ast.Expression:
    """Parse and check the whole tree up front so a deck is rejected before use."""
    if not isinstance(source, str) or not source.strip():
        raise ExprError("empty expression")
    if len(source) > MAX_LENGTH:
        raise ExprError(f"expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        raise ExprError(f"invalid expression: {e.msg}") from None
    for node in ast.walk(tree):
        _check_node(node)
    return tree


def names(source: str) -> set[str]:
    tree = parse(source)
    called = {
        id(n.func)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def evaluate(source: str, variables: Mapping[str, Number]) -> Number:
    return _eval(parse(source).body, variables)


def answer(tree: ast.Expression, variables: Mapping[str, Number]) -> float:
    """The value of a parsed `compute` as a card's answer: a finite float no larger than
    MAX_MAGNITUDE. Raises ExprError."""
    value = _eval(tree.body, variables)
    # magnitude first: float() cannot convert an int past the float range
    if abs(value) > MAX_MAGNITUDE or not math.isfinite(value):
        raise ExprError(f"the answer {str(value)[:20]} is too large")
    return float(value)


def _check_node(node: ast.AST) -> None:
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load)
    if isinstance(node, ast.operator | ast.unaryop):
        if type(node) not in _BINOPS and type(node) not in _UNARY:
            name = _OPERATOR_NAMES.get(type(node), f"'{type(node).__name__}'")
            raise ExprError(f"operator {name} is not allowed")
        return
    if not isinstance(node, allowed):
        kind = _NODE_NAMES.get(type(node), type(node).__name__)
        raise ExprError(f"{kind} is not allowed")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExprError(f"only numbers are allowed, not {value!r}")
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_MAGNITUDE:
            raise ExprError(f"the number {str(value)[:20]} is too large")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
            raise ExprError("calls are not allowed except min(), max() and abs()")
        name = node.func.id
        low, high = _ARITY[name]
        if (
            node.keywords
            or any(isinstance(a, ast.Starred) for a in node.args)
            or len(node.args) < low
            or (high is not None and len(node.args) > high)
        ):
            count = "exactly one number" if high == 1 else f"at least {low} numbers"
            raise ExprError(f"{name}() takes {count}")


def _eval(node: ast.AST, env: Mapping[str, Number]) -> Number:
    match node:
        case ast.Constant(value=int() | float() as value):  # `names` admits no other constant
            return value
        case ast.Name(id=name):
            if name not in env:
                raise ExprError(f"unknown name '{name}'")
            value = env[name]
            # magnitude first: isfinite() cannot convert an int past the float range
            if abs(value) > MAX_MAGNITUDE or not math.isfinite(value):
                raise ExprError(f"{name} = {str(value)[:20]} is too large")
            return value
        case ast.UnaryOp(op=op, operand=operand):
            return _UNARY[type(op)](_eval(operand, env))
        case ast.Call(func=ast.Name(id=fname), args=args):
            return _FUNCS[fname](*(_eval(a, env) for a in args))
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _eval(left, env), _eval(right, env)
            if isinstance(op, ast.Pow) and abs(b) > MAX_EXPONENT:
                raise ExprError(f"exponent {b} is larger than {MAX_EXPONENT}")
            try:
                result = _BINOPS[type(op)](a, b)
            except ZeroDivisionError:
                raise ExprError("division by zero") from None
            except OverflowError:
                raise ExprError("result is too large") from None
            if isinstance(result, complex):
                raise ExprError("result is not a real number")
            # magnitude first: isfinite() cannot convert an int past the float range
            if abs(result) > MAX_MAGNITUDE or not math.isfinite(result):
                raise ExprError("result is too large")
            return result
    raise ExprError(f"{type(node).__name__} is not allowed")
