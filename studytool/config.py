"""User settings: config.toml in the platformdirs config directory, overridden by env and flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

APP = "studytool"
CONFIG_NAME = "config.toml"


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
    new_per_day: int = 20
    quiz_feedback: str = "immediate"  # or "end"
    lang: str = "en"

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
        feedback = _get(raw.get("quiz", {}), "feedback", str, "immediate", path)
        if feedback not in ("immediate", "end"):
            raise ConfigError(f"{path}: quiz.feedback must be 'immediate' or 'end'")
        return cls(
            content_dirs=tuple(dict.fromkeys(dirs)),
            data_dir=data_dir,
            config_path=path,
            scheduler=scheduler,
            day_start_hour=hour,
            new_per_day=_get(rev, "new_per_day", int, 20, path),
            quiz_feedback=feedback,
            lang=_get(raw, "lang", str, "en", path),
        )


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP)) / CONFIG_NAME


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP))


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
