"""Containers: records, state guards, the OCI spec, and one module per verb."""
