"""Addons: manifests, the dependency graph, data files, install / upgrade / uninstall.

This package only re-exports; ``manager.ModuleManager`` is the entry point.
"""
from .graph import DependencyError, find_addons, load_order
from .manager import ModuleManager
from .manifest import Manifest, ManifestError, read_manifest

__all__ = ["DependencyError", "Manifest", "ManifestError", "ModuleManager", "find_addons",
           "load_order", "read_manifest"]
