"""The web client's controllers: every module of this package is imported, and each
``Controller`` class a module defines is in CONTROLLERS, which ``hooks.py`` adds to the
server.  A new view type is a new module here (it also registers its page with
``view_page.register``)."""
import importlib
import inspect
import pkgutil

from core.http import Controller


def _collect():
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(cls for _name, cls in inspect.getmembers(module, inspect.isclass)
                     if issubclass(cls, Controller) and cls is not Controller and cls.__module__ == module.__name__)
    return found


CONTROLLERS = _collect()
