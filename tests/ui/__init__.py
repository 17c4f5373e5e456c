"""UI tests: Pilot behaviour tests and SVG snapshots against the fake engine."""
