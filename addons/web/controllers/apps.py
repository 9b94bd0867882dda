"""The Apps page: addons with their state; install, upgrade, uninstall."""
from core.http import Controller


class Apps(Controller):
    pass
