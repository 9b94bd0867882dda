"""Command-line entry points of the mail gateway (being written)."""


def add_commands(subparsers):
    pass
