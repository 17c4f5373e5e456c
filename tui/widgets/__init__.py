"""Widgets of the main screen and its panels."""
