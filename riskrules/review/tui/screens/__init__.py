"""Screens of the review TUI, one per file."""
