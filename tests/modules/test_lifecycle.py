"""Install, upgrade and uninstall through the module manager, on a real database.

The test addons live in tests/modules/addons: test_library adds a model, extends
res.partner with fields, ships a view, an action, menus, ACL rows and a record rule;
test_library_loans depends on it; test_library_glue installs itself once both are.
"""
import os

import pytest
import sqlalchemy as sa

from core.api import SUPERUSER_ID, Environment
from core.modules import ModuleManager
from core.modules.manager import ModuleError

TEST_ADDONS = os.path.join(os.path.dirname(__file__), "addons")


@pytest.fixture
def manager(base_db_uri):
    manager = ModuleManager(base_db_uri, addons_paths=[TEST_ADDONS])
    manager.open()
    assert manager.refresh_module_list() == 6  # the test addons join the list of addons
    yield manager
    manager.engine.dispose()


def snapshot(manager):
    """Schema (tables, columns, indexes, foreign keys) and row counts, as the inspector sees them."""
    with manager.engine.connect() as connection:
        inspector = sa.inspect(connection)
        schema = {}
        for table in sorted(inspector.get_table_names()):
            schema[table] = {
                "columns": sorted((c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)),
                "indexes": sorted(i["name"] for i in inspector.get_indexes(table)),
                "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                              for f in inspector.get_foreign_keys(table)),
                "rows": connection.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar(),
            }
    return schema


def env_of(manager):
    cr = manager.registry.cursor()
    return cr, Environment(cr, SUPERUSER_ID, {})


def test_install_creates_models_fields_data_and_owns_them(manager):
    installed = manager.install(["test_library"])
    assert installed == ["test_library"]
    cr, env = env_of(manager)
    try:
        hobbit = env.ref("test_library.book_hobbit")
        assert (hobbit.name, hobbit.copies, hobbit.state) == ("The Hobbit", 3, "available")
        assert hobbit.author_id.library_card == "LC-1"
        assert env.ref("test_library.book_demo").name == "Demo Book"           # demo data
        assert env.ref("test_library.menu_books").name == "Books"
        assert env["ir.module.module"].search([("name", "=", "test_library")]).state == "installed"
        field = env.ref("test_library.field_res_partner__library_card")
        assert field.model == "res.partner" and field.ttype == "char"
        owners = sa.Table("ir_schema_owner", sa.MetaData(), autoload_with=cr.connection)
        rows = {(r.table_name, r.column_name): r.module for r in cr.execute(sa.select(owners))}
        assert rows[("library_book", "")] == "test_library"
        assert rows[("res_partner", "library_card")] == "test_library"
        assert rows[("res_partner", "name")] == "base"
    finally:
        cr.close()
    import addons.test_library as package
    import addons.test_library.hooks as hooks
    assert ("post_init", 3) in package.EVENTS
    assert ("post_install", "test_library") in hooks.SEEN


def test_modules_install_and_uninstall_from_the_orm(manager):
    cr, env = env_of(manager)
    with cr:
        module = env["ir.module.module"].search([("name", "=", "test_library")])
        assert module.state == "uninstalled"
        assert module.button_immediate_install() == ["test_library"]
        assert module.state == "installed"
        plan = module.plan_uninstall()
        assert plan["models"] == ["library.book"]
        module.button_immediate_uninstall()
    cr, env = env_of(manager)
    with cr:
        assert env["ir.module.module"].search([("name", "=", "test_library")]).state == "uninstalled"
        assert "library.book" not in env
    import addons.test_library.hooks as hooks
    assert ("pre_uninstall", 3) in hooks.SEEN


def test_the_new_registry_serves_only_once_the_install_is_committed(manager):
    before = manager.registry
    cr, env = env_of(manager)
    with cr:
        module = env["ir.module.module"].search([("name", "=", "test_library")])
        module.button_immediate_install()
        assert manager.registry is before  # other requests must not see uncommitted tables
        cr.rollback()
    assert manager.registry is before and "library.book" not in manager.registry.models
    cr, env = env_of(manager)
    with cr:
        with cr.savepoint():
            env["ir.module.module"].search([("name", "=", "test_library")]).button_immediate_install()
            cr.execute(sa.text("SELECT 1"))
        cr.commit()
    assert manager.registry is not before and "library.book" in manager.registry.models
    cr, env = env_of(manager)
    with cr:
        try:
            with cr.savepoint():
                env["ir.module.module"].search([("name", "=", "test_library")]).button_immediate_uninstall()
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass
        cr.commit()
    assert "library.book" in manager.registry.models  # the rolled back savepoint switched nothing


def test_install_then_uninstall_leaves_schema_and_data_as_before(manager):
    before = snapshot(manager)
    for _ in range(3):
        manager.install(["test_library"])
        assert "library_book" in snapshot(manager)
        manager.uninstall(["test_library"])
        assert snapshot(manager) == before


def test_uninstall_plan_lists_dependents_models_columns_and_records(manager):
    manager.install(["test_library_loans"])
    plan = manager.plan_uninstall(["test_library"])
    assert plan["modules"] == ["test_library_glue", "test_library_loans", "test_library"]
    assert plan["dependents"] == ["test_library_glue", "test_library_loans"]
    assert plan["models"] == ["library.book", "library.loan"]
    assert plan["record_counts"]["library.book"] == 3
    assert "res_partner.library_card" in plan["columns"]
    assert plan["owned_records"]["res.partner"] == 1
    # a dry run changes nothing
    assert manager.plan_uninstall(["test_library"]) == plan


def test_dependents_are_uninstalled_first(manager):
    manager.install(["test_library_loans"])
    removed = manager.uninstall(["test_library"])
    assert removed[-1] == "test_library" and "test_library_loans" in removed
    states = {name: state for name, state, _ in manager.modules()}
    assert states["test_library"] == states["test_library_loans"] == "uninstalled"


def test_glue_addon_installs_itself(manager):
    installed = manager.install(["test_library_loans"])
    assert installed == ["test_library", "test_library_loans", "test_library_glue"]


def test_extending_without_depending_is_refused(manager):
    manager.install(["test_library"])
    with pytest.raises(ModuleError, match=r"'test_library_badext' extends model 'library.book' of "
                                           r"addon 'test_library' without depending on it"):
        manager.install(["test_library_badext"])


def test_cycle_is_refused_naming_it(manager):
    with pytest.raises(ModuleError, match=r"cycle between addons: test_cycle_(one|two) -> "):
        manager.install(["test_cycle_one"])


def test_upgrade_reloads_data_but_keeps_user_edits_and_noupdate(manager):
    manager.install(["test_library"])
    cr, env = env_of(manager)
    with cr:
        env.ref("test_library.book_hobbit").write({"copies": 10})          # edited by a user
        env.ref("test_library.author_tolkien").write({"name": "Tolkien"})  # edited by a user
        env.ref("test_library.book_silmarillion").write({"copies": 7})     # noupdate record
    manager.upgrade(["test_library"])
    cr, env = env_of(manager)
    with cr:
        assert env.ref("test_library.book_hobbit").copies == 10
        assert env.ref("test_library.author_tolkien").name == "Tolkien"
        assert env.ref("test_library.book_silmarillion").copies == 7
        assert env.ref("test_library.book_demo").exists()                  # demo data stays


def test_failed_install_leaves_nothing(manager, tmp_path):
    before = snapshot(manager)
    broken = tmp_path / "test_broken_data"
    (broken / "data").mkdir(parents=True)
    (broken / "__init__.py").write_text("")
    (broken / "__manifest__.py").write_text(
        "{'name': 'Broken', 'depends': ['test_library'], 'data': ['data/bad.xml'], 'license': 'LGPL-3'}")
    (broken / "data" / "bad.xml").write_text(
        "<odoo><record id='x' model='library.book'><field name='nme'>x</field></record></odoo>")
    other = ModuleManager(manager.db_uri, addons_paths=[TEST_ADDONS, str(tmp_path)], engine=manager.engine)
    other.open()
    with pytest.raises(Exception, match=r"test_broken_data/data/bad.xml:1: x: model library.book has no field 'nme'"):
        other.install(["test_broken_data"])
    assert snapshot(manager) == before


def test_missing_external_dependency_is_named(manager, tmp_path):
    for name, needs in (("test_needs_python", "{'python': ['no_such_package_xyz']}"),
                        ("test_needs_bin", "{'bin': ['no-such-program-xyz']}")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        (folder / "__manifest__.py").write_text(
            f"{{'name': 'Needs', 'license': 'LGPL-3', 'external_dependencies': {needs}}}")
    other = ModuleManager(manager.db_uri, addons_paths=[TEST_ADDONS, str(tmp_path)], engine=manager.engine)
    other.open()
    with pytest.raises(ModuleError, match="Python package 'no_such_package_xyz'"):
        other.install(["test_needs_python"])
    with pytest.raises(ModuleError, match="program 'no-such-program-xyz'"):
        other.install(["test_needs_bin"])


def test_refreshing_an_unchanged_module_list_writes_nothing(manager):
    cr, env = env_of(manager)
    with cr:
        start = cr.sql_count
        assert manager.update_list(env) == 0
        # one search and one read of the rows: no UPDATE per addon
        assert cr.sql_count - start <= 3
