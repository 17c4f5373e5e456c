"""Tests of the network topology: model, layout, exporters, screen, and on the real dockerd."""
