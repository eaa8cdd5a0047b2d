"""User settings: config.toml in the platformdirs config directory, overridden by env and flags."""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from studytool.fsio import InputFileError, InputTooLarge, atomic_write, read_limited
from studytool.textsafe import one_line, safe_path

APP = "studytool"
CONFIG_NAME = "config.toml"
MAX_CONFIG_BYTES = 1 << 20
MAX_STEP_MIN = 365 * 24 * 60.0  # a learning step longer than a year is a mistake
MAX_INTERVAL_DAYS = 36500
MAX_NEW_PER_DAY = 10_000
QUIT_IDS = ("quit", "home.quit")  # binding ids that must stay on a key a terminal can send
_MODIFIERS = ("ctrl", "shift", "alt", "meta")
_NAMED_KEYS = {"escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
               "pageup", "pagedown", "up", "down", "left", "right",
               *(f"f{n}" for n in range(1, 25))}  # fmt: skip
# Keys every terminal sends: what `quit` may be bound to.
_BASIC_KEYS = {"escape", "enter", "tab", "space", *(f"f{n}" for n in range(1, 13))}


LEECH_ACTIONS = ("suspend", "tag")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """The config file cannot be read or has a wrong value."""


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    desired_retention: float = 0.9
    learning_steps_min: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_min: tuple[float, ...] = (10.0,)
    maximum_interval: int = 36500
    enable_fuzzing: bool = True
    # Anki's load balancing: a new interval goes to the least busy day of its fuzz range
    load_balance: bool = True
    # easy days: Monday..Sunday, the share of a normal day's reviews that day should get
    easy_days: tuple[float, ...] = (1.0,) * 7

    def easy_days_table(self) -> dict[str, float]:
        """The weekdays that are not normal days, as config.toml writes them."""
        return {d: f for d, f in zip(WEEKDAYS, self.easy_days, strict=True) if f != 1.0}


@dataclass(frozen=True, slots=True)
class ExamSettings:
    """[exam]: an active exam-date plan (`studytool plan exam --activate`)."""

    date: date
    decks: tuple[str, ...] = ()  # empty: every deck
    minutes: int = 30  # a day
    target: float = 0.9  # predicted recall of every card on the date

    def config_values(self) -> dict[str, object]:
        return {
            "exam.date": self.date.isoformat(),
            "exam.decks": list(self.decks),
            "exam.minutes": self.minutes,
            "exam.target": self.target,
        }


EXAM_MINUTES = (1, 600)
EXAM_TARGET = (0.5, 0.99)


@dataclass(frozen=True, slots=True)
class Settings:
    content_dirs: tuple[Path, ...] = ()
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    config_path: Path | None = None
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    day_start_hour: int = 4
    new_per_day: int = 20  # first reviews a study day, all decks together (Anki's model)
    bury_siblings: bool = True  # a reversed card's other direction waits for the next day
    quiz_feedback: str = "immediate"  # or "end"
    lang: str = "en"
    keymap: tuple[tuple[str, str], ...] = ()  # [keymap]: binding id, key names
    new_per_deck: int = 20  # a sub-limit of new_per_day for each deck
    reviews_per_day: int = 200  # reviews of cards in the Review state a study day
    leech_threshold: int = 8  # lapses (Again on a card in review) that make a card a leech
    leech_action: str = "suspend"  # or "tag": only mark it
    theme: str = ""  # a Textual theme name; "" keeps the app's default
    sync_remote: str = ""  # [sync] remote: the git remote `studytool sync` last used
    exam: ExamSettings | None = None  # [exam]: the active exam-date plan

    @property
    def user_decks_dir(self) -> Path:
        """Where decks of the user's own go (an edited copy of a built-in deck): the first
        content folder, else `decks` in the data folder."""
        return self.content_dirs[0] if self.content_dirs else self.data_dir / "decks"

    @property
    def deck_dirs(self) -> tuple[Path, ...]:
        """The user's deck folders to load: the content folders, or the default
        `user_decks_dir` once something was saved there."""
        default = self.user_decks_dir
        return self.content_dirs or ((default,) if default.is_dir() else ())

    @classmethod
    def load(
        cls,
        content: list[Path] | None = None,
        data: Path | None = None,
        config: Path | None = None,
    ) -> Settings:
        """Flags beat environment variables, which beat config.toml, which beats defaults."""
        path = config or Path(os.environ.get("STUDYTOOL_CONFIG") or default_config_path())
        raw = _read_toml(path)
        dirs: list[Path] = [Path(p).expanduser() for p in content or []]
        env = os.environ.get("STUDYTOOL_CONTENT", "")
        dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p]
        dirs += [Path(p).expanduser() for p in _get_list(raw, "content", str, [], path)]
        env_data = os.environ.get("STUDYTOOL_DATA")
        data_dir = data or (Path(env_data) if env_data else None)
        if data_dir is None:
            cfg = _get(raw, "data_dir", str, "", path)
            data_dir = Path(cfg).expanduser() if cfg else default_data_dir()
        sch = _table(raw, "scheduler", path)
        rev = _table(raw, "review", path)
        scheduler = SchedulerSettings(
            desired_retention=_get(sch, "desired_retention", float, 0.9, path, "scheduler."),
            learning_steps_min=_steps(sch, "learning_steps", [1, 10], path),
            relearning_steps_min=_steps(sch, "relearning_steps", [10], path),
            maximum_interval=_get(sch, "maximum_interval", int, 36500, path, "scheduler."),
            enable_fuzzing=_get(sch, "enable_fuzzing", bool, True, path, "scheduler."),
            load_balance=_get(sch, "load_balance", bool, True, path, "scheduler."),
            easy_days=easy_days(_get(sch, "easy_days", dict, {}, path, "scheduler."), path),
        )
        where = safe_path(path)
        if not 0.7 <= scheduler.desired_retention <= 0.99:
            raise ConfigError(f"{where}: scheduler.desired_retention must be in 0.7..0.99")
        if not 1 <= scheduler.maximum_interval <= MAX_INTERVAL_DAYS:
            raise ConfigError(
                f"{where}: scheduler.maximum_interval must be in 1..{MAX_INTERVAL_DAYS} (days)"
            )
        hour = _get(rev, "day_start_hour", int, 4, path, "review.")
        if not 0 <= hour <= 23:
            raise ConfigError(f"{where}: review.day_start_hour must be in 0..23")
        limits = {
            key: _get(rev, key, int, default, path, "review.")
            for key, default in (
                ("new_per_day", 20),
                ("new_per_deck", 20),
                ("reviews_per_day", 200),
                ("leech_threshold", 8),
            )
        }
        for key, value in limits.items():
            least = 1 if key == "leech_threshold" else 0
            if not least <= value <= MAX_NEW_PER_DAY:
                raise ConfigError(f"{where}: review.{key} must be in {least}..{MAX_NEW_PER_DAY}")
        leech_action = _get(rev, "leech_action", str, "suspend", path, "review.")
        if leech_action not in LEECH_ACTIONS:
            raise ConfigError(f"{where}: review.leech_action must be 'suspend' or 'tag'")
        feedback = _get(_table(raw, "quiz", path), "feedback", str, "immediate", path, "quiz.")
        if feedback not in ("immediate", "end"):
            raise ConfigError(f"{where}: quiz.feedback must be 'immediate' or 'end'")
        return cls(
            content_dirs=tuple(dict.fromkeys(dirs)),
            data_dir=data_dir,
            config_path=path,
            scheduler=scheduler,
            day_start_hour=hour,
            new_per_day=limits["new_per_day"],
            bury_siblings=_get(rev, "bury_siblings", bool, True, path, "review."),
            quiz_feedback=feedback,
            lang=_get(raw, "lang", str, "en", path),
            keymap=_keymap(raw, path),
            new_per_deck=limits["new_per_deck"],
            reviews_per_day=limits["reviews_per_day"],
            leech_threshold=limits["leech_threshold"],
            leech_action=leech_action,
            theme=_get(raw, "theme", str, "", path),
            sync_remote=_get(_table(raw, "sync", path), "remote", str, "", path, "sync."),
            exam=_exam(raw, path),
        )


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP)) / CONFIG_NAME


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP))


def write_settings(path: Path, values: dict[str, object]) -> None:
    """Set keys of config.toml, keeping everything else in it (comments and order too).

    Keys are top-level names or dotted for a table: {"lang": "ko", "review.new_per_day": 30};
    the value None removes a top-level key or table: {"exam": None}.
    The file is replaced atomically; a missing file (or folder) is created."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import Table

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from None
    try:
        doc = tomlkit.parse(text)
        for dotted, value in values.items():
            *tables, key = dotted.split(".")
            table: tomlkit.TOMLDocument | Table = doc
            if value is None:
                if not tables and key in doc:
                    del doc[key]
                continue
            for name in tables:
                inner = table.get(name)
                if inner is None:
                    inner = tomlkit.table()
                    table.add(name, inner)
                if not isinstance(inner, Table):
                    raise ConfigError(f"{path}: '{name}' is not a table")
                table = inner
            table[key] = value
        out = tomlkit.dumps(doc)
    except TOMLKitError as e:
        raise ConfigError(f"{path}: {e}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, out)
    except OSError as e:
        raise ConfigError(f"{path}: cannot write the settings ({e})") from None


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; {} when there is none. Only a regular UTF-8 file of at most
    MAX_CONFIG_BYTES is read (a FIFO or device would block or never end)."""
    where = safe_path(path)
    try:
        data = read_limited(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return {}
    except InputTooLarge:
        raise ConfigError(f"{where}: larger than {MAX_CONFIG_BYTES // 2**20} MB") from None
    except InputFileError:
        raise ConfigError(f"{where}: not a regular file") from None
    except OSError as e:
        raise ConfigError(f"{where}: {e.strerror or e}") from None
    import tomllib  # only when there is a file: start-up without one skips the parser

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        encoding = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ConfigError(
            f"{where}: not UTF-8 text{encoding} at byte {e.start}: save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: {e}") from None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _table(raw: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{safe_path(path)}: [{key}] must be a table, got {_shown(value)}")
    return value


def _get(
    table: dict[str, Any], key: str, kind: type, default: Any, path: Path, prefix: str = ""
) -> Any:
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(
            f"{safe_path(path)}: '{prefix}{key}' must be {kind.__name__}, got {_shown(value)}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{safe_path(path)}: '{prefix}{key}' must be a finite number")
    return value


def _get_list(
    table: dict[str, Any], key: str, item: type, default: list[Any], path: Path
) -> list[Any]:
    values: list[Any] = _get(table, key, list, default, path)
    for v in values:
        if not isinstance(v, item) or isinstance(v, bool):
            raise ConfigError(
                f"{safe_path(path)}: '{key}' must be a list of {item.__name__},"
                f" got {_shown(v)} in it"
            )
    return values


def easy_days(table: dict[str, Any], where: Path | str) -> tuple[float, ...]:
    """{ sun = 0.5 } -> the share of each weekday (Monday first), 1.0 where not named."""
    out = dict.fromkeys(WEEKDAYS, 1.0)
    shown = safe_path(where) if isinstance(where, Path) else where
    for day, share in table.items():
        if day not in out:
            raise ConfigError(
                f"{shown}: scheduler.easy_days: '{one_line(day)}' is not one of"
                f" {', '.join(WEEKDAYS)}"
            )
        number = isinstance(share, int | float) and not isinstance(share, bool)
        if not number or not 0.0 <= share <= 1.0:
            raise ConfigError(
                f"{shown}: scheduler.easy_days.{day} must be a share of a normal day in"
                f" 0..1, got {_shown(share)}"
            )
        out[day] = float(share)
    return tuple(out.values())


def _steps(table: dict[str, Any], key: str, default: list[int], path: Path) -> tuple[float, ...]:
    """Learning steps in minutes: each a number above 0 and at most a year."""
    values = _get(table, key, list, default, path, "scheduler.")
    for v in values:
        number = isinstance(v, int | float) and not isinstance(v, bool)
        if not number or not 0 < v <= MAX_STEP_MIN:
            raise ConfigError(
                f"{safe_path(path)}: 'scheduler.{key}' must be a list of minutes above 0 and at"
                f" most {MAX_STEP_MIN:.0f}, got {_shown(v)} in it"
            )
    return tuple(float(v) for v in values)


def _exam(raw: dict[str, Any], path: Path) -> ExamSettings | None:
    """[exam], checked; None when the table is absent."""
    if "exam" not in raw:
        return None
    table = _table(raw, "exam", path)
    where = safe_path(path)
    when = table.get("date")
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, date) or hasattr(when, "hour"):
        raise ConfigError(f"{where}: exam.date must be a date (YYYY-MM-DD)")
    minutes = _get(table, "minutes", int, 30, path, "exam.")
    if not EXAM_MINUTES[0] <= minutes <= EXAM_MINUTES[1]:
        raise ConfigError(f"{where}: exam.minutes must be in {EXAM_MINUTES[0]}..{EXAM_MINUTES[1]}")
    target = _get(table, "target", float, 0.9, path, "exam.")
    if not EXAM_TARGET[0] <= target <= EXAM_TARGET[1]:
        raise ConfigError(f"{where}: exam.target must be in {EXAM_TARGET[0]}..{EXAM_TARGET[1]}")
    decks = _get_list(table, "decks", str, [], path)
    return ExamSettings(when, tuple(decks), minutes, target)


def key_problem(keys: str, typeable: bool = False) -> str | None:
    """Why `keys` ("j" or "ctrl+j,f2") is not a list of Textual key names, or None. With
    `typeable`, only keys that every terminal sends (for quit: never lock the user in)."""
    for key in keys.split(","):
        shown = one_line(key.strip())
        *mods, base = key.strip().split("+")
        if any(m not in _MODIFIERS for m in mods) or (typeable and set(mods) - {"ctrl"}):
            return f"'{shown}' has a modifier other than {', '.join(_MODIFIERS)}"
        single = len(base) == 1 and base.isprintable() and not base.isspace()
        named = base in (_BASIC_KEYS if typeable else _NAMED_KEYS) or (
            not typeable and _character_name(base)
        )
        if not (single or named):
            return f"'{shown}' is not a key name"
    return None


def _character_name(name: str) -> bool:
    """Textual names keys for punctuation after the character: question_mark, full_stop."""
    try:
        char = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return len(char) == 1 and char.isprintable() and not char.isspace()


def _keymap(raw: dict[str, Any], path: Path) -> tuple[tuple[str, str], ...]:
    """[keymap]: binding id = "key" (or "key1,key2"). Key names are checked here; which ids
    exist only the app knows (see `unknown_keymap_ids`)."""
    table = _table(raw, "keymap", path)
    out = []
    for binding, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(
                f"{safe_path(path)}: keymap '{one_line(binding)}' must be a key name,"
                f" got {_shown(keys)}"
            )
        problem = key_problem(keys, typeable=binding in QUIT_IDS)
        if problem is not None and binding in QUIT_IDS:
            problem += ": quit must stay on a key every terminal sends (a letter, ctrl+letter,"
            problem += " escape, enter, tab, space or f1-f12)"
        if problem is not None:
            raise ConfigError(f"{safe_path(path)}: keymap '{one_line(binding)}': {problem}")
        out.append((binding, keys))
    return tuple(out)


def unknown_keymap_ids(settings: Settings, binding_ids: Collection[str]) -> list[str]:
    """The [keymap] ids that name no binding of the app, for a warning at start-up."""
    return [b for b, _ in settings.keymap if b not in binding_ids]
