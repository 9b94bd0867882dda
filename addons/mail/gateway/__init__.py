"""The incoming mail gateway (being written)."""
