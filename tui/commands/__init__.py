"""What each `dockyard` subcommand does, kept apart from argument parsing."""
