"""Docker's swarm mode through a manager's API: models, the SwarmEngine protocol, stacks.

The package imports nothing itself: an engine that manages no swarm never loads it.
"""
