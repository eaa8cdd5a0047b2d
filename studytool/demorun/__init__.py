"""Running the concept demos: the catalogue (read with ast), the JSON-lines protocol, the
worker child process and the runner/pool used by the CLI and the TUI.  No torch import here."""
