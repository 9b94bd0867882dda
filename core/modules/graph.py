"""Finding addons on the addons path and ordering them by their dependencies.

Load order is (depth, name): an addon's depth is one more than its deepest
dependency, ``base`` is at depth 0, and addons of one depth load alphabetically.
"""
import os

from .manifest import ManifestError, read_manifest


class DependencyError(ValueError):
    """A missing dependency or a dependency cycle; the message names the addons."""


def find_addons(paths):
    """``{name: Manifest}`` of the addons in the folders ``paths`` (first one wins)."""
    found = {}
    for root in paths:
        if not os.path.isdir(root):
            raise ManifestError(f"addons path {root!r} is not a folder")
        for entry in sorted(os.listdir(root)):
            folder = os.path.join(root, entry)
            if entry in found or not os.path.isfile(os.path.join(folder, "__manifest__.py")):
                continue
            found[entry] = read_manifest(folder)
    return found


def _depends(manifest):
    deps = manifest.depends
    if manifest.name != "base" and "base" not in deps:
        deps = ["base"] + deps
    return deps


def depths(manifests, names):
    """Depth of each addon in ``names`` and of everything they depend on."""
    result = {}

    def visit(name, path):
        if name in result:
            return result[name]
        if name in path:
            cycle = path[path.index(name):] + [name]
            raise DependencyError(f"dependency cycle between addons: {' -> '.join(cycle)}")
        manifest = manifests.get(name)
        if manifest is None:
            needed_by = manifests.get(path[-1]) if path else None
            raise DependencyError(
                f"addon {name!r} is not on the addons path"
                + (f" (a dependency of {needed_by.name!r} in "
                   f"{needed_by.path}/__manifest__.py)" if needed_by else ""))
        deps = _depends(manifest)
        depth = 0 if not deps else 1 + max(visit(dep, path + [name]) for dep in deps)
        result[name] = depth
        return depth

    for name in names:
        visit(name, [])
    return result


def load_order(manifests, names):
    """``names`` and their dependencies, in load order."""
    levels = depths(manifests, names)
    return sorted(levels, key=lambda name: (levels[name], name))


def dependents(manifests, names, among):
    """The addons of ``among`` that depend, directly or not, on one of ``names``."""
    result = set(names)
    changed = True
    while changed:
        changed = False
        for name in among:
            if name not in result and set(_depends(manifests[name])) & result:
                result.add(name)
                changed = True
    return result - set(names)
