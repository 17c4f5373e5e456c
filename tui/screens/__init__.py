"""Screens: the main view, help, command log, stats dashboard, engine switcher."""
