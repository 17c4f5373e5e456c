"""Registry support for the native engine: distribution API v2 pull and push."""
