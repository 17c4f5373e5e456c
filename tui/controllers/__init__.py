"""Per-view controllers: what each view's keys do, composed by the main screen."""

# The main screen's views, in the order of their keys (1-4); each has a controller.
VIEWS = ("containers", "images", "volumes", "networks")
