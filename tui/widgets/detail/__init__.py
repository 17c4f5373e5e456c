"""The detail pane under the views: its tabs, the log view and the stats charts."""
