"""Small helpers shared by the framework."""


def translate(message, *args, **kwargs):
    """Interpolate ``message``; language lookup is added by the i18n layer (core.i18n)."""
    if args:
        return message % args
    if kwargs:
        return message % kwargs
    return message
