r"""LaTeX formulas to readable Unicode for the terminal.

A small parser of our own: pylatexenc, unicodeit and flatlatex each get some of the content's
formulas wrong (ambiguous fractions, `\log` mangled, `\mathrm` broken), so we handle the structure
here: unambiguous fractions ((a+b)/c), sub/superscripts, accents, function names and fonts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_SUP = dict(
    zip(
        "0123456789+-=()niaeohjklmprstuvwxyzbcdfgABDEGHIJKLMNOPRTUVWβγδθιφχ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵃᵉᵒʰʲᵏˡᵐᵖʳˢᵗᵘᵛʷˣʸᶻᵇᶜᵈᶠᵍᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡ",
        strict=True,
    )
)
_SUB = dict(
    zip(
        "0123456789+-=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_SUP["−"], _SUB["−"] = "⁻", "₋"
_SUP["⊤"] = _SUP["T"]
_SUP["∗"] = "*"  # no superscript asterisk exists; D*(x) reads fine
_SUP["′"] = "′"

_FUNCS = {
    "log", "ln", "exp", "max", "min", "arg", "sin", "cos", "tan", "tanh", "sigmoid", "det",
    "lim", "sup", "inf", "dim", "Pr", "argmax", "argmin", "softmax",
}  # fmt: skip
_SYMBOLS = {
    "cdot": "·", "times": "×", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "propto": "∝", "sim": "~",
    "in": "∈", "notin": "∉", "mid": "|", "infty": "∞", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "leftrightarrow": "↔", "mapsto": "↦",
    "nabla": "∇", "partial": "∂", "top": "⊤", "ldots": "…", "cdots": "⋯", "dots": "…",
    "sum": "∑", "prod": "∏", "int": "∫", "pm": "±", "mp": "∓", "|": "‖", "lVert": "‖",
    "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "vert": "|", "langle": "⟨",
    "rangle": "⟩", "forall": "∀", "exists": "∃", "cup": "∪", "cap": "∩", "subset": "⊂",
    "subseteq": "⊆", "emptyset": "∅", "circ": "∘", "star": "⋆", "ast": "∗", "equiv": "≡",
    "gg": "≫", "ll": "≪", "triangleq": "≜", "coloneqq": "≔", "neg": "¬", "land": "∧",
    "lor": "∨", "sqrt": "√", "{": "{", "}": "}", "%": "%", "_": "_", "&": "&", "#": "#",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "prime": "′", "ell": "ℓ",
}  # fmt: skip
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega"
).split()
for _i, _name in enumerate(_GREEK):
    _SYMBOLS[_name] = chr(0x3B1 + _i + (1 if _i >= 17 else 0))
    _SYMBOLS[_name.capitalize()] = chr(0x391 + _i + (1 if _i >= 17 else 0))
_SYMBOLS |= {"varepsilon": "ε", "epsilon": "ϵ", "vartheta": "ϑ", "varphi": "φ", "phi": "ϕ",
             "varsigma": "ς", "varrho": "ϱ", "varpi": "ϖ"}  # fmt: skip
_SYMBOLS["epsilon"] = "ε"  # students read ϵ and ε as the same letter; ε is the common glyph
_SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "quad": "  ", "qquad": "   ", "!": ""}
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304",
            "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
            "vec": "\u20d7"}  # fmt: skip
_FONT_PLAIN = {"mathrm", "text", "textrm", "operatorname", "mathit", "textit", "textbf", "mbox"}
_SCRIPT = {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"}
_BLACKBOARD = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}
_IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "limits", "nolimits"}

_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|(\s+)|(.)", re.DOTALL)
_OPERATORS = re.compile(r"[\s+\-−±=<>,·×/|:;]")


class LatexError(ValueError):
    """The formula cannot be rendered (unbalanced braces, unknown command...)."""


def _font(letters: str, table: dict[str, str], base_upper: int, base_lower: int) -> str:
    out = []
    for ch in letters:
        if ch in table:
            out.append(table[ch])
        elif "A" <= ch <= "Z":
            out.append(chr(base_upper + ord(ch) - ord("A")))
        elif "a" <= ch <= "z" and base_lower:
            out.append(chr(base_lower + ord(ch) - ord("a")))
        else:
            out.append(ch)
    return "".join(out)


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = [
            (m.group(1), m.group(2), m.group(3), m.group(4)) for m in _TOKEN.finditer(source)
        ]
        self.i = 0

    def peek(self) -> tuple[str | None, ...] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self, until_brace: bool = False) -> str:
        out: list[str] = []
        while (tok := self.peek()) is not None:
            cmd, special, _, _ = tok
            if special == "}":
                if until_brace:
                    self.take()
                    return "".join(out)
                raise LatexError("unbalanced '}'")
            if cmd in ("frac", "dfrac", "tfrac"):
                self.take()
                frac = self.command(cmd)
                before = "".join(out)[-1:]
                glued = (before and not before.isspace() and before not in "([") or _glues(
                    self.peek()
                )
                out.append(f"({frac})" if glued else frac)
                continue
            if special in ("^", "_"):
                self.take()
                arg = self.argument()
                table = _SUP if special == "^" else _SUB
                out.append(self.script(arg, table, special))
                continue
            out.append(self.atom())
        if until_brace:
            raise LatexError("missing '}'")
        return "".join(out)

    def argument(self) -> str:
        """One argument: a braced group or a single token."""
        tok = self.peek()
        if tok is None:
            raise LatexError("missing argument")
        if tok[2] is not None:  # skip whitespace before an argument
            self.take()
            return self.argument()
        return self.atom()

    def atom(self) -> str:
        cmd, special, space, char = self.take()
        if special == "{":
            return self.parse(until_brace=True)
        if space is not None:
            return " "
        if char is not None:
            return {"-": "−", "*": "∗", "'": "′"}.get(char, char)
        if special is not None:
            raise LatexError(f"unexpected '{special}'")
        return self.command(cmd)

    def command(self, name: str) -> str:
        if name in _IGNORED:
            return ""
        if name in _SPACES:
            return _SPACES[name]
        if name == "frac" or name in ("dfrac", "tfrac"):
            num, den = self.argument(), self.argument()
            return f"{_wrap(num)}/{_wrap(den, denominator=True)}"
        if name == "sqrt":
            arg = self.argument()
            return "√" + _wrap(arg)
        if name in _ACCENTS:
            arg = self.argument()
            mark = _ACCENTS[name]
            return (
                "".join(ch + mark if ch.isalnum() else ch for ch in arg)
                if len(arg) <= 2
                else (f"{name}({arg})")
            )
        if name in _FONT_PLAIN:
            return self.argument()
        if name == "mathbb":
            return _font(self.argument(), _BLACKBOARD, 0x1D538, 0x1D552)
        if name == "mathcal":
            return _font(self.argument(), _SCRIPT, 0x1D49C, 0)
        if name in ("mathbf", "boldsymbol", "bm"):
            arg = self.argument()
            return _font(arg, {}, 0x1D400, 0x1D41A)
        if name in _FUNCS:
            nxt = self.peek()
            spaced = nxt is not None and (
                (nxt[3] is not None and nxt[3].isalnum())
                or (nxt[0] is not None and nxt[0] not in _SPACES)
            )
            return name + (" " if spaced else "")
        if name in _SYMBOLS:
            if name in ("partial", "nabla") and (nxt := self.peek()) and nxt[2] is not None:
                self.take()  # "\partial L" is one symbol applied to L
            return _SYMBOLS[name]
        raise LatexError(f"unknown command '\\{name}'")

    def script(self, arg: str, table: dict[str, str], mark: str) -> str:
        if arg and all(ch in table for ch in arg):
            return "".join(table[ch] for ch in arg)
        if mark == "^" and arg in ("⊤", "T"):
            return "ᵀ"
        if re.fullmatch(r"[^\W_]+", arg) or (
            arg.startswith("(") and arg.endswith(")") and _balanced(arg[1:-1])
        ):
            return mark + arg
        return f"{mark}({arg})"


_LOOSE = {
    "cdot", "times", "le", "leq", "ge", "geq", "ne", "neq", "approx", "propto", "sim", "in", "to",
    "rightarrow", "leftarrow", "Rightarrow", "pm", "mp", "odot", "otimes", "oplus", "mid",
    "equiv", "rfloor", "rceil", "rangle", "|", "rVert", "rvert", "right", "quad", "qquad",
} | set(_SPACES)  # fmt: skip


def _glues(tok: tuple[str | None, ...] | None) -> bool:
    """Whether a token right after a fraction would read as part of its denominator."""
    if tok is None:
        return False
    cmd, special, _, char = tok
    if cmd is not None:
        return cmd not in _LOOSE
    return (char is not None and (char.isalnum() or char == "(")) or special == "{"


def _wrap(s: str, denominator: bool = False) -> str:
    s = s.strip()
    if not s:
        return s
    single = len(s) == 1 or _is_word(s)
    if single and not _OPERATORS.search(s):
        return s
    if s.startswith("(") and s.endswith(")") and _balanced(s[1:-1]):
        return s
    return f"({s})"


def _is_word(s: str) -> bool:
    """A name with scripts and accents (x̂ₜ, QKᵀ is not: two letters multiply), or a number."""
    if re.fullmatch(r"[\d.]+", s) or (s.startswith("√") and _is_word(s[1:])):
        return True
    if s.endswith(")") and "(" in s:  # f(x), p_data(x): a function applied to its argument
        i = s.index("(")
        if i and _balanced(s[i + 1 : -1]) and _is_word(s[:i]):
            return True
    s = re.sub(r"[_^](\w+|\([^()]*\))", "", s) or s
    base = [ch for ch in s if unicodedata.category(ch) in ("Ll", "Lu", "Lo", "Nd")]
    marks_ok = all(
        unicodedata.category(ch) in ("Ll", "Lu", "Lo", "Nd", "Mn", "No", "Lm", "Sm")
        or ch in _SUP.values()
        or ch in _SUB.values()
        or ch in "∂∇"
        for ch in s
    )
    plain = [ch for ch in s if ch not in _SUP.values() and ch not in _SUB.values()]
    letters = [ch for ch in plain if unicodedata.category(ch) in ("Ll", "Lu", "Lo")]
    return (
        marks_ok and len(letters) <= 1 + (plain[:1] == ["∂"] or plain[:1] == ["∇"]) and bool(base)
    )


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@cache
def to_unicode(source: str) -> str:
    """Render LaTeX to one line of Unicode. Raises LatexError on malformed input."""
    text = _Parser(source).parse()
    return re.sub(r" {2,}", "  ", text).strip()


def render(source: str) -> str:
    """Like to_unicode, but never raises: malformed LaTeX is shown as it is."""
    try:
        return to_unicode(source)
    except LatexError:
        return source
