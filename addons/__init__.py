"""The ``addons`` namespace: this folder plus every folder of the configured addons path.

The module loader appends the configured folders to ``__path__``, so that an addon
``foo`` found anywhere is imported as ``addons.foo``.
"""
__path__ = __import__("pkgutil").extend_path(__path__, __name__)
