"""Widgets and Rich renderables of the TUI."""
