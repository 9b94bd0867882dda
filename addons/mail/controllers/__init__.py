"""The chatter's HTTP routes (being written)."""
CONTROLLERS = []
