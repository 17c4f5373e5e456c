"""The Fleet view: several engines at once."""
