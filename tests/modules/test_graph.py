"""Dependency graph: load order by (depth, name), cycles and missing addons named."""
import pytest

from core.modules import DependencyError, load_order
from core.modules.graph import dependents
from core.modules.manifest import Manifest


def graph(**depends):
    return {name: Manifest(name=name, path="/nowhere", values={"name": name, "depends": deps})
            for name, deps in depends.items()}


def test_order_is_depth_then_name():
    manifests = graph(base=[], crm=["mail"], mail=[], sale=["base"], sale_crm=["sale", "crm"])
    assert load_order(manifests, ["sale_crm"]) == ["base", "mail", "sale", "crm", "sale_crm"]
    assert load_order(manifests, ["sale", "mail"]) == ["base", "mail", "sale"]


def test_cycle_is_named():
    manifests = graph(base=[], a=["b"], b=["c"], c=["a"])
    with pytest.raises(DependencyError, match=r"cycle between addons: a -> b -> c -> a"):
        load_order(manifests, ["a"])


def test_missing_dependency_names_who_needs_it():
    manifests = graph(base=[], crm=["mail"])
    with pytest.raises(DependencyError, match=r"'mail' is not on the addons path \(a dependency of 'crm' "
                                              r"in /nowhere/__manifest__\.py\)"):
        load_order(manifests, ["crm"])


def test_dependents_are_transitive():
    manifests = graph(base=[], a=[], b=["a"], c=["b"], d=[])
    assert dependents(manifests, ["a"], ["a", "b", "c", "d"]) == {"b", "c"}
