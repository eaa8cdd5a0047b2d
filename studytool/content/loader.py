"""Load one deck file: safe YAML, every problem located as path:line:col, never an exception.

Validation walks the composed YAML node tree, so each message points at the exact node.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from studytool.content import expr, spec
from studytool.content.draws import range_problem
from studytool.content.inputfile import read_deck_text
from studytool.content.model import (
    CLOZE_RE,
    ID_RE,
    LANGS,
    Card,
    CardType,
    Deck,
    Errata,
    GenVar,
    Problem,
    Source,
    Text,
)
from studytool.content.nodes import (
    KIND_NAMES,
    compose,
    describe,
    number_problem,
    plain_number,
    scalar_problem,
    shape_problem,
    suggest,
    text_problem,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_GEN_RANGE = 10**6

_INVALID = object()  # a scalar that was already reported


class _Abort(Exception):
    """Stops validating a file after a problem that leaves nothing more to check."""


class DeckParser:
    """Validates one file's node tree and builds the Deck from it."""

    def __init__(self, path: Path, demo_names: Collection[str] | None) -> None:
        self.path = path
        self.demo_names = demo_names
        self.problems: list[Problem] = []
        self.deck_id_node: yaml.Node | None = None
        self._constructor = yaml.constructor.SafeConstructor()
        self._nodes = 0

    def error(self, node: yaml.Node | yaml.Mark | None, message: str) -> None:
        mark = node.start_mark if isinstance(node, yaml.Node) else node
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        # Keys and values from the file are quoted in messages: keep each message one line.
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        self.problems.append(Problem(self.path, line, col, message))

    # -- primitive readers: return None after reporting a problem ---------------------------

    def _count(self) -> None:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Abort(f"document has more than {MAX_NODES} nodes (aliases expand too far)")

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        self._count()
        if (problem := shape_problem(node, what, mapping=True)) is not None:
            self.error(node, problem)
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            self._count()
            if not (isinstance(key, yaml.ScalarNode) and key.tag.endswith(":str")):
                self.error(key, f"keys in {what} must be strings, got {describe(key)}")
                continue
            if key.value in out:
                first = out[key.value][0].start_mark.line + 1
                self.error(key, f"duplicate key '{key.value}' (first on line {first})")
                continue
            out[key.value] = (key, value)
        return out

    def scalar(self, node: yaml.Node, what: str = "") -> Any:
        """A scalar's value; _INVALID after reporting a foreign tag, a control character in
        text or a number out of range."""
        self._count()
        if not isinstance(node, yaml.ScalarNode):
            return node
        label = f"'{what}'" if what else "value"
        problem = scalar_problem(node, label)
        if problem is None:
            v = self._constructor.construct_object(node)
            if isinstance(v, str):
                problem = text_problem(v)
            elif isinstance(v, int | float) and not isinstance(v, bool):
                problem = number_problem(v)
            if problem is not None:
                problem = f"{label} {problem}"
        if problem is not None:
            self.error(node, problem)
            return _INVALID
        return v

    def value(self, node: yaml.Node, kind: str, what: str) -> Any:
        """Read a primitive of `kind`; report and return None when it does not fit."""
        if kind == spec.TEXT:
            return self.text(node, what)
        if kind in (spec.STRS, spec.INTS, spec.TEXTS):
            return self.sequence(node, kind, what)
        v = self.scalar(node, what)
        if v is _INVALID:
            return None
        number = plain_number(node, v)
        if kind == spec.NUMBER and number is not None:
            v = number
        ok = {
            spec.ID: isinstance(v, str),
            spec.STR: isinstance(v, str),
            spec.INT: isinstance(v, int) and not isinstance(v, bool),
            spec.BOOL: isinstance(v, bool),
            spec.NUMBER: isinstance(v, int | float) and not isinstance(v, bool),
        }[kind]
        if not ok:
            got = f"{v}, a number in exponent notation" if number is not None else describe(node)
            self.error(node, f"'{what}' must be {KIND_NAMES[kind]}, got {got}")
            return None
        if kind == spec.NUMBER and (problem := number_problem(v)) is not None:
            self.error(node, f"'{what}' {problem}")
            return None
        if kind in (spec.ID, spec.STR) and not v.strip():
            self.error(node, f"'{what}' is empty")
            return None
        if kind == spec.ID and not ID_RE.fullmatch(v):
            self.error(
                node,
                f"'{what}' value '{v}' is not a valid id:"
                " use lowercase letters, digits, '-' and '_'",
            )
            return None
        return v

    def sequence(self, node: yaml.Node, kind: str, what: str) -> list[Any] | None:
        self._count()
        if (problem := shape_problem(node, f"'{what}'", mapping=False)) is not None:
            self.error(node, problem)
            return None
        item_kind = {spec.STRS: spec.STR, spec.INTS: spec.INT, spec.TEXTS: spec.TEXT}[kind]
        items = [self.value(n, item_kind, f"{what}[{i}]") for i, n in enumerate(node.value)]
        if not items:
            self.error(node, f"'{what}' is an empty list")
            return None
        return None if any(i is None for i in items) else items

    def text(self, node: yaml.Node, what: str) -> Text | None:
        if isinstance(node, yaml.ScalarNode):
            v = self.scalar(node, what)
            if v is _INVALID:
                return None
            if isinstance(v, str) and v.strip():
                return Text.plain(v)
            if isinstance(v, str) or v is None:
                self.error(node, f"'{what}' is empty")
            else:
                self.error(
                    node, f"'{what}' must be a text or {{en: ..., ko: ...}}, got {describe(node)}"
                )
            return None
        fields = self.mapping(node, f"'{what}'")
        if fields is None:
            return None
        values: dict[str, str] = {}
        for key, (knode, vnode) in fields.items():
            if key not in LANGS:
                self.error(knode, f"unknown language '{key}' in '{what}': use 'en' and 'ko'")
                continue
            v = self.scalar(vnode, f"{what}.{key}")
            if v is _INVALID:
                continue
            if not isinstance(v, str):
                self.error(vnode, f"'{what}.{key}' must be a string, got {describe(vnode)}")
            elif not v.strip():
                self.error(vnode, f"'{what}.{key}' is empty")
            else:
                values[key] = v
        missing = [lang for lang in LANGS if lang not in fields]
        if missing:
            self.error(node, f"'{what}' is missing its '{missing[0]}' text")
        if len(values) != len(LANGS):
            return None
        return Text(values["en"], values["ko"])

    def fields(
        self,
        node: yaml.Node,
        table: dict[str, tuple[str, bool]],
        what: str,
        where: str,
        others: Collection[str] = (),
        raw: dict[str, tuple[yaml.Node, yaml.Node]] | None = None,
    ) -> dict[str, tuple[yaml.Node, Any]] | None:
        """Read a mapping against a field table: unknown keys, missing keys, wrong kinds."""
        raw = raw if raw is not None else self.mapping(node, what)
        if raw is None:
            return None
        out: dict[str, tuple[yaml.Node, Any]] = {}
        for key, (knode, vnode) in raw.items():
            if key not in table:
                if key in others:
                    self.error(knode, f"'{key}' is not used by {where}")
                else:
                    self.error(knode, f"unknown key '{key}' in {where}{suggest(key, table)}")
                continue
            kind = table[key][0]
            if kind in KIND_NAMES or kind in (spec.STRS, spec.INTS, spec.TEXTS):
                out[key] = (vnode, self.value(vnode, kind, key))
            else:
                out[key] = (vnode, None)  # structured kinds are read by the caller
        for key, (_, required) in table.items():
            if required and key not in raw:
                self.error(node, f"{where} is missing '{key}'")
        return out

    # -- the deck --------------------------------------------------------------------------

    def deck(self, root: yaml.Node) -> Deck | None:
        top = self.fields(root, spec.DECK_FIELDS, "a deck file", "the deck")
        if top is None:
            return None
        if "deck" in top:
            self.deck_id_node = top["deck"][0]
        deck_id = top.get("deck", (None, None))[1]
        notes: tuple[str, ...] = ()
        if "source" in top:
            snode = top["source"][0]
            if isinstance(snode, yaml.SequenceNode):
                notes = tuple(self.sequence(snode, spec.STRS, "source") or ())
            else:
                note = self.value(snode, spec.STR, "source")
                notes = (note,) if note else ()
        cards: list[Card] = []
        if "cards" in top:
            cards = self.cards(top["cards"][0], deck_id or "?")
        if self.problems or deck_id is None:
            return None
        return Deck(
            id=deck_id,
            title=top["title"][1],
            path=self.path,
            description=top.get("description", (None, None))[1],
            tags=tuple(top.get("tags", (None, None))[1] or ()),
            source=notes,
            cards=tuple(cards),
        )

    def cards(self, node: yaml.Node, deck_id: str) -> list[Card]:
        if (problem := shape_problem(node, "'cards'", mapping=False)) is not None:
            self.error(node, problem)
            return []
        if not node.value:
            self.error(node, "'cards' is an empty list: a deck needs at least one card")
        seen: dict[str, int] = {}
        out = []
        for cnode in node.value:
            card = self.card(cnode, deck_id, seen)
            if card is not None:
                out.append(card)
        return out

    def card(self, node: yaml.Node, deck_id: str, seen: dict[str, int]) -> Card | None:
        raw = self.mapping(node, "a card")
        if raw is None:
            return None
        type_node = raw.get("type", (None, None))[1]
        ctype: CardType | None = None
        if type_node is not None:
            tvalue = self.scalar(type_node)
            try:
                ctype = CardType(tvalue) if tvalue is not _INVALID else None
            except ValueError:
                names = [t.value for t in CardType]
                self.error(
                    type_node,
                    f"unknown card type '{tvalue}'{suggest(str(tvalue), names)}"
                    f" (one of: {', '.join(names)})",
                )
        table = dict(spec.COMMON_FIELDS)
        if ctype is None:
            if type_node is not None:  # an unknown type was reported already
                table = {k: (kind, req and k != "type") for k, (kind, req) in table.items()}
            every = {k: v for f in spec.TYPE_FIELDS.values() for k, v in f.items()}
            table |= {k: (kind, False) for k, (kind, _) in every.items()}
        else:
            table |= spec.TYPE_FIELDS[ctype]
        every_key = {k for f in spec.TYPE_FIELDS.values() for k in f}
        article = "an" if ctype in (CardType.MCQ, CardType.ORDER) else "a"
        where = f"{article} {ctype.value} card" if ctype else "a card"
        f = self.fields(node, table, "a card", where, others=every_key, raw=raw)
        if f is None:
            return None
        start = len(self.problems)
        card_id = f.get("id", (None, None))[1]
        if card_id is not None:
            if card_id in seen:
                self.error(
                    f["id"][0], f"duplicate card id '{card_id}' (first on line {seen[card_id]})"
                )
            else:
                seen[card_id] = f["id"][0].start_mark.line + 1
        if ctype is None or card_id is None:
            return None
        get = {k: v for k, (_, v) in f.items()}
        demo = get.get("demo")
        if demo is not None and self.demo_names is not None and demo not in self.demo_names:
            self.error(f["demo"][0], f"unknown demo '{demo}'{suggest(demo, self.demo_names)}")
        source = self.source(f["source"][0]) if "source" in f else None
        errata = self.errata(f["errata"][0]) if "errata" in f else None
        lint_ignore = self.lint_ignore(f["lint"][0]) if "lint" in f else ()
        prompt_key = spec.PROMPT_KEY[ctype]
        card_kwargs: dict[str, Any] = {}
        self.check_type(ctype, f, get, card_kwargs)
        if len(self.problems) > start or get.get(prompt_key) is None:
            return None
        return Card(
            deck=deck_id,
            id=card_id,
            type=ctype,
            prompt=get[prompt_key],
            back=get.get("back"),
            formula=get.get("formula"),
            given=get.get("given"),
            explain=get.get("explain"),
            tags=tuple(get.get("tags") or ()),
            demo=demo,
            source=source,
            errata=errata,
            concept=get.get("concept"),
            draft=bool(get.get("draft")),
            lint_ignore=lint_ignore,
            line=node.start_mark.line + 1,
            col=node.start_mark.column + 1,
            **card_kwargs,
        )

    def check_type(
        self,
        ctype: CardType,
        f: dict[str, tuple[yaml.Node, Any]],
        get: dict[str, Any],
        out: dict[str, Any],
    ) -> None:
        """Checks that depend on the card type; fills the Card's type-specific fields."""
        if ctype is CardType.CLOZE and get.get("text") is not None:
            self.check_cloze(f["text"][0], get["text"])
        if ctype in (CardType.MCQ, CardType.MULTI) and get.get("choices") is not None:
            choices = get["choices"]
            out["choices"] = tuple(choices)
            if len(choices) < spec.MIN_CHOICES:
                self.error(f["choices"][0], f"'choices' needs at least {spec.MIN_CHOICES} entries")
            if ctype is CardType.MCQ and get.get("answer") is not None:
                self.check_index(f["answer"][0], get["answer"], len(choices), "answer")
                out["answer_index"] = get["answer"]
            if ctype is CardType.MULTI and get.get("answers") is not None:
                answers = get["answers"]
                for i, (n, a) in enumerate(zip(f["answers"][0].value, answers, strict=True)):
                    self.check_index(n, a, len(choices), f"answers[{i}]")
                if len(set(answers)) != len(answers):
                    self.error(f["answers"][0], "'answers' lists the same choice twice")
                out["answer_indices"] = tuple(sorted(set(answers)))
        if ctype is CardType.TRUEFALSE:
            out["answer_bool"] = get.get("answer")
        if ctype is CardType.TYPED:
            out["answers"] = tuple(get.get("answers") or ())
            out["case_sensitive"] = bool(get.get("case_sensitive"))
        if ctype is CardType.ORDER and get.get("items") is not None:
            out["items"] = tuple(get["items"])
            if len(get["items"]) < spec.MIN_ITEMS:
                self.error(f["items"][0], f"'items' needs at least {spec.MIN_ITEMS} entries")
        if ctype is CardType.NUMERIC:
            self.check_numeric(f, get, out)

    def check_index(self, node: yaml.Node, index: int, n: int, what: str) -> None:
        if index is not None and not 0 <= index < n:
            self.error(
                node,
                f"'{what}' is {index} but there are {n} choices (0-based: use 0 to {n - 1})",
            )

    def check_cloze(self, node: yaml.Node, text: Text) -> None:
        by_lang = {lang: {m.group(1) for m in CLOZE_RE.finditer(text.get(lang))} for lang in LANGS}
        for lang in LANGS if text.bilingual else LANGS[:1]:
            if not by_lang[lang]:
                where = f"'text.{lang}'" if text.bilingual else "'text'"
                self.error(
                    node, f"cloze card has no cloze in {where}: mark one like {{{{c1::answer}}}}"
                )
                return
        if by_lang["en"] != by_lang["ko"]:
            en = ", ".join(f"c{n}" for n in sorted(by_lang["en"], key=int))
            ko = ", ".join(f"c{n}" for n in sorted(by_lang["ko"], key=int))
            self.error(node, f"cloze numbers differ between languages: en has {en}, ko has {ko}")

    def check_numeric(
        self, f: dict[str, tuple[yaml.Node, Any]], get: dict[str, Any], out: dict[str, Any]
    ) -> None:
        tol = get.get("tolerance")
        if tol is not None and tol < 0:
            self.error(f["tolerance"][0], "'tolerance' must not be negative")
        out["tolerance"] = float(tol or 0.0)
        out["unit"] = get.get("unit")
        generated = "compute" in f or "vars" in f
        if generated and "answer" in f:
            self.error(f["answer"][0], "a generated card takes 'vars' and 'compute', not 'answer'")
        elif not generated and "answer" not in f:
            anchor = (f.get("question") or f["type"])[0]  # the question may be missing too
            self.error(anchor, "a numeric card is missing 'answer' (or 'vars' and 'compute')")
        elif generated:
            for key in ("vars", "compute"):
                if key not in f:
                    other = "compute" if key == "vars" else "vars"
                    self.error(f[other][0], f"a generated card needs '{key}' with '{other}'")
            variables = self.gen_vars(f["vars"][0]) if "vars" in f else None
            source = get.get("compute")
            if variables is not None and source is not None:
                out["variables"] = variables
                out["compute"] = source
                self.check_compute(f["compute"][0], source, variables)
        if get.get("answer") is not None:
            out["number"] = float(get["answer"])

    def gen_vars(self, node: yaml.Node) -> tuple[GenVar, ...] | None:
        raw = self.mapping(node, "'vars'")
        if raw is None:
            return None
        out = []
        for name, (knode, vnode) in raw.items():
            if not name.isidentifier():
                self.error(knode, f"variable name '{name}' must be an identifier")
                continue
            if isinstance(vnode, yaml.SequenceNode):
                if (problem := shape_problem(vnode, f"'vars.{name}'", mapping=False)) is not None:
                    self.error(vnode, problem)
                    continue
                values = [self.scalar(n, f"vars.{name}") for n in vnode.value]
                if any(v is _INVALID for v in values):
                    continue
                values = [
                    v if (number := plain_number(n, v)) is None else number
                    for n, v in zip(vnode.value, values, strict=True)
                ]
                if not values or any(
                    not isinstance(v, int | float) or isinstance(v, bool) for v in values
                ):
                    self.error(vnode, f"'vars.{name}' must be a non-empty list of numbers")
                    continue
                out.append(GenVar(name, values=tuple(values)))
                continue
            rng = self.fields(
                vnode,
                {"min": (spec.INT, True), "max": (spec.INT, True)},
                f"'vars.{name}'",
                f"'vars.{name}'",
            )
            if rng is None or any(rng.get(k, (None, None))[1] is None for k in ("min", "max")):
                continue
            low, high = rng["min"][1], rng["max"][1]
            if low > high or high - low > MAX_GEN_RANGE:
                self.error(vnode, f"'vars.{name}' needs min <= max within {MAX_GEN_RANGE}")
                continue
            out.append(GenVar(name, low=low, high=high))
        return tuple(out) if len(out) == len(raw) else None

    def check_compute(self, node: yaml.Node, source: str, variables: tuple[GenVar, ...]) -> None:
        try:
            used = expr.names(source)
        except expr.ExprError as e:
            self.error(node, f"'compute': {e}")
            return
        declared = {v.name for v in variables}
        for name in sorted(used - declared):
            self.error(
                node, f"'compute' uses '{name}', which is not in 'vars'{suggest(name, declared)}"
            )
        if used <= declared:
            # over the variables' range: a draw that fails is drawn again, so only a card that
            # fails too often (or always) is refused
            problem = range_problem(source, variables, seed=source)
            if problem is not None:
                self.error(node, problem)

    def source(self, node: yaml.Node) -> Source | None:
        if isinstance(node, yaml.ScalarNode):
            note = self.value(node, spec.STR, "source")
            return Source(note) if note else None
        f = self.fields(node, spec.SOURCE_FIELDS, "'source'", "'source'")
        if f is None or f.get("note", (None, None))[1] is None:
            return None
        return Source(f["note"][1], f.get("quote", (None, None))[1], f.get("line", (None, None))[1])

    def errata(self, node: yaml.Node) -> Errata | None:
        f = self.fields(node, spec.ERRATA_FIELDS, "'errata'", "'errata'")
        if f is None or any(
            f.get(k, (None, None))[1] is None for k in ("quote", "correction", "reference")
        ):
            return None
        return Errata(
            f["quote"][1], f["correction"][1], f["reference"][1], f.get("note", (None, None))[1]
        )

    def lint_ignore(self, node: yaml.Node) -> tuple[str, ...]:
        """The rule ids of `lint: {ignore: [...], reason: ...}`; the reason is required."""
        f = self.fields(node, spec.LINT_FIELDS, "'lint'", "'lint'")
        if f is None or f.get("ignore", (None, None))[1] is None:
            return ()
        for rnode, rule in zip(f["ignore"][0].value, f["ignore"][1], strict=True):
            if rule not in spec.LINT_RULES:
                self.error(rnode, f"unknown lint rule '{rule}'{suggest(rule, spec.LINT_RULES)}")
        return tuple(f["ignore"][1])


def load_deck(
    path: Path, demo_names: Collection[str] | None = None
) -> tuple[Deck | None, list[Problem], yaml.Node | None]:
    """Parse and validate one deck file. Returns the deck (None if invalid), its problems and
    the node of its `deck:` id (to locate cross-file duplicates)."""
    problems: list[Problem] = []
    text = read_deck_text(path, MAX_BYTES, problems)
    if text is None:
        return None, problems, None
    return parse_deck_text(text, path, demo_names)


def parse_deck_text(
    text: str, path: Path, demo_names: Collection[str] | None = None
) -> tuple[Deck | None, list[Problem], yaml.Node | None]:
    """Validate deck text that may not be on disk yet (an editor buffer), located in `path`."""
    problems: list[Problem] = []
    if len(text) > MAX_BYTES:
        problems.append(Problem(path, 1, 1, f"deck is larger than {MAX_BYTES // 2**20} MB"))
        return None, problems, None
    if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        problems.append(
            Problem(path, 1, 1, "file is empty: a deck needs 'deck', 'title' and 'cards'")
        )
        return None, problems, None
    root, problem = compose(text)
    if problem is not None:
        problems.append(Problem(path, *problem))
        return None, problems, None
    if root is None:
        problems.append(
            Problem(path, 1, 1, "file is empty: a deck needs 'deck', 'title' and 'cards'")
        )
        return None, problems, None
    parser = DeckParser(path, demo_names)
    try:
        deck = parser.deck(root)
    except _Abort as e:
        parser.error(root, str(e))
        deck = None
    except RecursionError:
        parser.error(root, "nesting is too deep")
        deck = None
    problems = sorted(parser.problems, key=lambda p: (p.line, p.col))
    return deck, problems, parser.deck_id_node
