"""Entry point. With no arguments it opens the TUI without importing the CLI stack (typer)."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        if len(sys.argv) == 1:
            from studytool.config import ConfigError, Settings
            from studytool.tui.app import run_app

            try:
                settings = Settings.load()
            except ConfigError as e:
                print(f"studytool: {e}", file=sys.stderr)
                sys.exit(2)
            run_app(settings)
            return
        from studytool.cli import app

        app(prog_name="studytool")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # the last line of defence: never a traceback
        from studytool.textsafe import one_line

        print(f"studytool: internal error: {one_line(f'{type(e).__name__}: {e}')}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
