"""Running the concept demos: the parameter model (params), the catalogue (read with ast), the
JSON-lines protocol, the worker child process, the runner/pool, and the event reducer and rich
drawing used by the CLI and the TUI.  Only the worker child process imports torch and the demos."""
