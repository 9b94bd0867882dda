from . import models

EVENTS = []


def post_init(env):
    EVENTS.append(("post_init", env["library.book"].search_count([])))


def uninstall(env):
    EVENTS.append(("uninstall", env["library.book"].search_count([])))
