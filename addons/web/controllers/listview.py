"""The list view, the search panel, bulk actions, CSV export (see the brief in the module's docstring)."""
from core.http import Controller


class ListView(Controller):
    pass
