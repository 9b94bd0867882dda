"""The form view: reading, editing, saving records; autocomplete and onchange."""
from core.http import Controller


class FormView(Controller):
    pass
