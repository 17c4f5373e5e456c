"""Per-view controllers: what each view's keys do, composed by the main screen."""
