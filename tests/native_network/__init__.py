"""Tests of the native engine's networking, run as root with namespaces as sandboxes."""
