"""Per-view controllers: what each view's keys do, composed by the main screen."""

# The main screen's views, in the order of their keys (1-6); each has a controller. Swarm is
# listed and reachable only on an engine that manages a swarm, Fleet only with several engines.
VIEWS = ("containers", "images", "volumes", "networks", "swarm", "fleet")
