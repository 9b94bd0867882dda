"""Addon manifests: ``__manifest__.py`` read as a literal, checked, never executed."""
import ast
import logging
import os
from dataclasses import dataclass, field

_logger = logging.getLogger(__name__)

#: key -> (expected types, default)
KEYS = {
    "name": ((str,), None),
    "version": ((str,), "1.0"),
    "summary": ((str,), ""),
    "description": ((str,), ""),
    "category": ((str,), "Uncategorized"),
    "author": ((str,), ""),
    "website": ((str,), ""),
    "license": ((str,), "LGPL-3"),
    "depends": ((list, tuple), ()),
    "data": ((list, tuple), ()),
    "demo": ((list, tuple), ()),
    "installable": ((bool,), True),
    "application": ((bool,), False),
    "auto_install": ((bool, list, tuple), False),
    "external_dependencies": ((dict,), {}),
    "pre_init_hook": ((str,), ""),
    "post_init_hook": ((str,), ""),
    "uninstall_hook": ((str,), ""),
    "sequence": ((int,), 100),
    "maintainer": ((str,), ""),
    "contributors": ((list, tuple), ()),
    "images": ((list, tuple), ()),
    "assets": ((dict,), {}),
}
DATA_EXTENSIONS = (".xml", ".csv")


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file."""


@dataclass
class Manifest:
    name: str                    # technical name (the folder)
    path: str                    # the addon's folder
    values: dict = field(default_factory=dict)

    def __getattr__(self, key):
        if key in KEYS:
            return self.values.get(key, KEYS[key][1])
        raise AttributeError(key)

    @property
    def title(self):
        return self.values.get("name") or self.name

    @property
    def depends(self):
        return list(self.values.get("depends", ()))


def read_manifest(path):
    """The checked manifest of the addon in folder ``path``."""
    name = os.path.basename(os.path.normpath(path))
    filename = os.path.join(path, "__manifest__.py")
    if not os.path.isfile(filename):
        raise ManifestError(f"{filename}: no manifest (an addon needs __manifest__.py)")
    with open(filename, encoding="utf-8") as handle:
        text = handle.read()
    try:
        values = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        line = getattr(exc, "lineno", None)
        raise ManifestError(f"{filename}{f':{line}' if line else ''}: the manifest must be one "
                            f"dict literal ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    if not isinstance(values, dict):
        raise ManifestError(f"{filename}: the manifest must be a dict, got {type(values).__name__}")
    for key, value in values.items():
        if key not in KEYS:
            _logger.warning("%s: unknown manifest key %r (ignored)", filename, key)
            continue
        types, _default = KEYS[key]
        if not isinstance(value, types):
            expected = " or ".join(t.__name__ for t in types)
            raise ManifestError(f"{filename}: {key!r} must be a {expected}, got {value!r}")
    if not values.get("name"):
        raise ManifestError(f"{filename}: 'name' is required")
    for key in ("depends", "data", "demo"):
        for item in values.get(key, ()):
            if not isinstance(item, str) or not item:
                raise ManifestError(f"{filename}: {key!r} holds {item!r}, expected file or addon names")
    for key in ("data", "demo"):
        for item in values.get(key, ()):
            if not item.endswith(DATA_EXTENSIONS):
                raise ManifestError(f"{filename}: {key} file {item!r}: only .xml and .csv are supported")
            if not os.path.isfile(os.path.join(path, item)):
                raise ManifestError(f"{filename}: {key} file {item!r} does not exist")
    return Manifest(name=name, path=os.path.abspath(path), values=values)
