"""User settings: config.toml in the platformdirs config directory, overridden by env and flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

APP = "studytool"
CONFIG_NAME = "config.toml"


LEECH_ACTIONS = ("suspend", "tag")


class ConfigError(Exception):
    """The config file cannot be read or has a wrong value."""


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    desired_retention: float = 0.9
    learning_steps_min: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_min: tuple[float, ...] = (10.0,)
    maximum_interval: int = 36500
    enable_fuzzing: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    content_dirs: tuple[Path, ...] = ()
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    config_path: Path | None = None
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    day_start_hour: int = 4
    new_per_day: int = 20  # first reviews a study day, all decks together (Anki's model)
    quiz_feedback: str = "immediate"  # or "end"
    lang: str = "en"
    new_per_deck: int = 20  # a sub-limit of new_per_day for each deck
    reviews_per_day: int = 200  # reviews of cards in the Review state a study day
    leech_threshold: int = 8  # lapses (Again on a card in review) that make a card a leech
    leech_action: str = "suspend"  # or "tag": only mark it
    theme: str = ""  # a Textual theme name; "" keeps the app's default

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
        dirs += [Path(p).expanduser() for p in _get(raw, "content", list, [], path)]
        env_data = os.environ.get("STUDYTOOL_DATA")
        data_dir = data or (Path(env_data) if env_data else None)
        if data_dir is None:
            cfg = _get(raw, "data_dir", str, "", path)
            data_dir = Path(cfg).expanduser() if cfg else default_data_dir()
        sch = raw.get("scheduler", {})
        rev = raw.get("review", {})
        scheduler = SchedulerSettings(
            desired_retention=_get(sch, "desired_retention", float, 0.9, path),
            learning_steps_min=tuple(_get(sch, "learning_steps", list, [1, 10], path)),
            relearning_steps_min=tuple(_get(sch, "relearning_steps", list, [10], path)),
            maximum_interval=_get(sch, "maximum_interval", int, 36500, path),
            enable_fuzzing=_get(sch, "enable_fuzzing", bool, True, path),
        )
        if not 0.7 <= scheduler.desired_retention <= 0.99:
            raise ConfigError(f"{path}: scheduler.desired_retention must be in 0.7..0.99")
        hour = _get(rev, "day_start_hour", int, 4, path)
        if not 0 <= hour <= 23:
            raise ConfigError(f"{path}: review.day_start_hour must be in 0..23")
        limits = {
            key: _get(rev, key, int, default, path)
            for key, default in (
                ("new_per_day", 20),
                ("new_per_deck", 20),
                ("reviews_per_day", 200),
                ("leech_threshold", 8),
            )
        }
        for key, value in limits.items():
            least = 1 if key == "leech_threshold" else 0
            if value < least:
                raise ConfigError(f"{path}: review.{key} must be at least {least}")
        leech_action = _get(rev, "leech_action", str, "suspend", path)
        if leech_action not in LEECH_ACTIONS:
            raise ConfigError(f"{path}: review.leech_action must be 'suspend' or 'tag'")
        feedback = _get(raw.get("quiz", {}), "feedback", str, "immediate", path)
        if feedback not in ("immediate", "end"):
            raise ConfigError(f"{path}: quiz.feedback must be 'immediate' or 'end'")
        return cls(
            content_dirs=tuple(dict.fromkeys(dirs)),
            data_dir=data_dir,
            config_path=path,
            scheduler=scheduler,
            day_start_hour=hour,
            new_per_day=limits["new_per_day"],
            quiz_feedback=feedback,
            lang=_get(raw, "lang", str, "en", path),
            new_per_deck=limits["new_per_deck"],
            reviews_per_day=limits["reviews_per_day"],
            leech_threshold=limits["leech_threshold"],
            leech_action=leech_action,
            theme=_get(raw, "theme", str, "", path),
        )


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP)) / CONFIG_NAME


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP))


def write_settings(path: Path, values: dict[str, object]) -> None:
    """Set keys of config.toml, keeping everything else in it (comments and order too).

    Keys are top-level names or dotted for a table: {"lang": "ko", "review.new_per_day": 30}.
    The file is replaced atomically; a missing file (or folder) is created."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import Table

    from studytool.fsio import atomic_write

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


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from None


def _get(table: dict, key: str, kind: type, default, path: Path):
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{path}: '{key}' must be {kind.__name__}, got {value!r}")
    return value
