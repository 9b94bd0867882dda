"""core.scaffold: a new addon's skeleton, complete and importable."""
import ast
import csv
import importlib
import py_compile
import sys
import uuid

import pytest
from lxml import etree

import addons
from core.scaffold import FILES, ScaffoldError, add_command, scaffold


def unique_name():
    return f"scaff_{uuid.uuid4().hex[:10]}"


def test_scaffold_writes_every_file(tmp_path):
    name = unique_name()
    target = scaffold(name, tmp_path)
    assert target == tmp_path / name
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert written == sorted([
        "__init__.py", "__manifest__.py", "i18n", "models", "models/__init__.py", f"models/{name}.py",
        "security", "security/ir.model.access.csv", "tests", "tests/__init__.py",
        f"tests/test_{name}.py", "views", f"views/{name}_views.xml"])
    assert list((target / "i18n").iterdir()) == []
    for path, _template in FILES:
        assert (target / path.format(name=name)).is_file(), path


def test_manifest_is_a_literal_with_the_usual_keys(tmp_path):
    name = unique_name()
    target = scaffold(name, tmp_path)
    manifest = ast.literal_eval((target / "__manifest__.py").read_text())
    assert manifest["version"] == "1.0"
    assert manifest["depends"] == ["base"]
    assert manifest["license"] == "LGPL-3"
    assert manifest["data"] == ["security/ir.model.access.csv", f"views/{name}_views.xml"]
    assert manifest["name"]
    for path in manifest["data"]:
        assert (target / path).is_file()


def test_access_rules_grant_internal_users_everything(tmp_path):
    name = unique_name()
    target = scaffold(name, tmp_path)
    with open(target / "security" / "ir.model.access.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["id", "name", "model_id:id", "group_id:id",
                       "perm_read", "perm_write", "perm_create", "perm_unlink"]
    assert rows[1:] == [[f"access_{name}_{name}_user", f"{name}.{name} user", f"model_{name}_{name}",
                         "base.group_user", "1", "1", "1", "1"]]


def test_views_file_is_odoo_xml_with_views_action_and_menus(tmp_path):
    name = unique_name()
    target = scaffold(name, tmp_path)
    root = etree.parse(str(target / "views" / f"{name}_views.xml")).getroot()
    assert root.tag == "odoo"
    views = root.findall("record[@model='ir.ui.view']")
    arch_roots = sorted(v.find("field[@name='arch']")[0].tag for v in views)
    assert arch_roots == ["form", "list"]
    for view in views:
        assert view.findtext("field[@name='model']") == f"{name}.{name}"
    action = root.find("record[@model='ir.actions.act_window']")
    assert action.findtext("field[@name='res_model']") == f"{name}.{name}"
    assert action.findtext("field[@name='view_mode']") == "list,form"
    menus = root.findall("menuitem")
    assert [m.get("action") for m in menus] == [None, action.get("id")]
    assert menus[1].get("parent") == menus[0].get("id")


def test_python_files_compile(tmp_path):
    target = scaffold(unique_name(), tmp_path)
    for path in sorted(target.rglob("*.py")):
        py_compile.compile(str(path), cfile=str(tmp_path / "compiled.pyc"), doraise=True)


def test_the_addon_imports_and_declares_its_model(tmp_path, monkeypatch):
    name = unique_name()
    scaffold(name, tmp_path)
    monkeypatch.setattr(addons, "__path__", [*addons.__path__, str(tmp_path)])
    try:
        importlib.import_module(f"addons.{name}")
        model_module = importlib.import_module(f"addons.{name}.models.{name}")
        model = next(value for value in vars(model_module).values()
                     if isinstance(value, type) and value.__dict__.get("_name") == f"{name}.{name}")
        assert model._module == name
        assert set(("name", "description", "active")) <= set(vars(model))
        assert model.name._args.get("required") is True
        assert model.active._args.get("default") is True
        test_module = importlib.import_module(f"addons.{name}.tests.test_{name}")
        test_module.test_model_declares_its_fields()
    finally:
        for module in [m for m in sys.modules if m == f"addons.{name}" or m.startswith(f"addons.{name}.")]:
            del sys.modules[module]


@pytest.mark.parametrize("bad", ["", "Library", "my-addon", "1addon", "class", "my addon", "_private",
                                 "caf\u00e9", None])
def test_invalid_names_are_refused(tmp_path, bad):
    with pytest.raises(ScaffoldError, match="Invalid addon name"):
        scaffold(bad, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_occupied_folder_is_refused_and_left_alone(tmp_path):
    name = unique_name()
    (tmp_path / name).mkdir()
    (tmp_path / name / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold(name, tmp_path)
    assert [p.name for p in (tmp_path / name).iterdir()] == ["notes.txt"]
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold("taken", tmp_path)


def test_an_empty_folder_is_filled(tmp_path):
    name = unique_name()
    (tmp_path / name).mkdir()
    assert (scaffold(name, tmp_path) / "__manifest__.py").is_file()


def test_command_line(tmp_path, capsys):
    import argparse
    parser = argparse.ArgumentParser()
    add_command(parser.add_subparsers(dest="command"))
    name = unique_name()
    args = parser.parse_args(["scaffold", name, str(tmp_path)])
    assert args.func(args) == 0
    assert (tmp_path / name / "__manifest__.py").is_file()
    assert args.func(args) == 2
    assert "already exists" in capsys.readouterr().err


def test_the_addon_installs_and_works(tmp_path, db_uri, monkeypatch):
    """End to end with the module loader: the skeleton installs, its model, access, action and menu exist."""
    manager_module = pytest.importorskip("core.modules.manager")
    from core.api import SUPERUSER_ID, Environment
    monkeypatch.setattr(addons, "__path__", list(addons.__path__))  # the manager extends it
    name = unique_name()
    scaffold(name, tmp_path / "addons")
    manager = manager_module.ModuleManager(db_uri, addons_paths=[str(tmp_path / "addons")], demo=False)
    try:
        registry = manager.open(install=[name])
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            record = env[f"{name}.{name}"].create({"name": "First"})
            assert (record.name, record.active, record.description) == ("First", True, False)
            access = env.ref(f"{name}.access_{name}_{name}_user")
            assert access.group_id == env.ref("base.group_user")
            assert (access.perm_read, access.perm_write, access.perm_create, access.perm_unlink) == \
                (True, True, True, True)
            action = env.ref(f"{name}.{name}_{name}_action")
            assert action.res_model == f"{name}.{name}"
            menu = env.ref(f"{name}.{name}_{name}_menu")
            assert menu.parent_id == env.ref(f"{name}.{name}_menu_root")
        registry.engine.dispose()
    finally:
        manager.engine.dispose()
        for module in [m for m in sys.modules if m == f"addons.{name}" or m.startswith(f"addons.{name}.")]:
            del sys.modules[module]
