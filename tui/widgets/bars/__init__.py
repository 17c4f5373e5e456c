"""The screen's bars: the engine header and the key hints."""
