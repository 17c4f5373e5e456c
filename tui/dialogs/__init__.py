"""Modal dialogs that return a value: confirmations and forms."""
