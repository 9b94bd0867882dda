"""Model assembly: extensions across addons, field merging, mixins, errors."""
import pytest

from core import api, fields, models
from core.registry import Registry


class Base(models.Model):
    __module__ = "addons.base_like.models.thing"
    _name = "treg.thing"
    _description = "Thing"

    name = fields.Char(string="Label")
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")

    def describe(self):
        return ["base"]


class Mixin(models.AbstractModel):
    __module__ = "addons.mixins.models.mixin"
    _name = "treg.mixin"
    _description = "Mixin"

    note = fields.Text()

    def describe(self):
        return ["mixin"] + super().describe()


class ThingExtension(models.Model):
    __module__ = "addons.sale_like.models.thing"
    _name = "treg.thing"
    _inherit = ["treg.thing", "treg.mixin"]

    name = fields.Char(required=True)
    state = fields.Selection(selection_add=[("sent", "Sent"), ("done",)])
    extra = fields.Integer()

    def describe(self):
        return ["extension"] + super().describe()


class Copy(models.Model):
    __module__ = "addons.other.models.copy"
    _name = "treg.copy"
    _inherit = "treg.thing"
    _description = "Copy of a thing"


class Wizard(models.TransientModel):
    __module__ = "addons.other.wizard.wizard"
    _name = "treg.wizard"
    _description = "Wizard"
    _transient_max_hours = 0.0
    _transient_max_count = 2

    name = fields.Char()


DEFINITIONS = [Base, Mixin, ThingExtension, Copy, Wizard]


@pytest.fixture
def env(db_uri):
    from core.api import Environment
    registry = Registry.new(db_uri, DEFINITIONS)
    with registry.cursor() as cr:
        yield Environment(cr, 1, {})
    registry.engine.dispose()


def test_methods_chain_through_every_definition_in_load_order(env):
    # the extension first, then what its _inherit lists, in that order
    assert env["treg.thing"].describe() == ["extension", "base"]
    assert [c.__module__ for c in type(env["treg.thing"]).__mro__ if c.__module__.startswith("addons.")] == [
        "addons.sale_like.models.thing", "addons.base_like.models.thing", "addons.mixins.models.mixin"]


def test_field_redefinition_merges_arguments(env):
    field = env["treg.thing"]._fields["name"]
    assert field.required and field.string == "Label"


def test_selection_add_inserts_before_marker(env):
    field = env["treg.thing"]._fields["state"]
    assert field.selection == [("draft", "Draft"), ("sent", "Sent"), ("done", "Done")]


def test_fields_of_mixins_and_extensions_are_on_the_model(env):
    assert {"note", "extra", "name"} <= set(env["treg.thing"]._fields)
    record = env["treg.thing"].create({"name": "n", "note": "hello", "extra": 3, "state": "sent"})
    assert (record.note, record.extra, record.state) == ("hello", 3, "sent")


def test_field_ownership_follows_the_declaring_addon(env):
    fields_ = env["treg.thing"]._fields
    assert fields_["name"].module == "base_like"
    assert fields_["extra"].module == "sale_like"
    assert fields_["note"].module == "mixins"
    assert env["treg.thing"]._original_module == "base_like"


def test_prototype_inheritance_makes_a_new_table(env):
    copy = env["treg.copy"].create({"name": "copy"})
    assert copy._table == "treg_copy" and env["treg.thing"].search_count([]) == 0
    assert "extra" in env["treg.copy"]._fields  # copies the final parent, extensions included


def test_abstract_models_have_no_table(env):
    assert "treg.mixin" not in env.registry.tables
    with pytest.raises(TypeError, match="abstract"):
        env["treg.mixin"].search([])


def test_transient_vacuum_removes_old_wizards(env):
    env["treg.wizard"].create([{"name": str(i)} for i in range(5)])
    removed = env["treg.wizard"]._transient_vacuum()
    assert removed == 3
    assert env["treg.wizard"].search([], order="id").mapped("name") == ["3", "4"]


def test_extending_a_model_that_does_not_exist_names_the_addon(db_uri):
    class Orphan(models.Model):
        __module__ = "addons.orphan.models.x"
        _inherit = "treg.unknown"

    with pytest.raises(TypeError, match=r"orphan.*treg\.unknown"):
        Registry.new(db_uri, [Orphan])


def test_bad_field_declaration_fails_at_class_creation():
    with pytest.raises(TypeError, match=r"treg\.bad\.name: unknown argument\(s\) requird"):
        class Bad(models.Model):
            _name = "treg.bad"
            name = fields.Char(requird=True)
    with pytest.raises(ValueError, match=r"treg\.bad2\.partner_id: ondelete"):
        class Bad2(models.Model):
            _name = "treg.bad2"
            partner_id = fields.Many2one("res.partner", ondelete="explode")


def test_unknown_comodel_is_refused_at_setup(db_uri):
    class Dangling(models.Model):
        __module__ = "addons.dangling.models.x"
        _name = "treg.dangling"
        other_id = fields.Many2one("treg.nowhere")

    with pytest.raises(ValueError, match=r"treg\.dangling\.other_id.*treg\.nowhere.*dangling"):
        Registry.new(db_uri, [Dangling])


def test_bad_dependency_is_refused_at_setup(db_uri):
    class BadDepends(models.Model):
        __module__ = "addons.bad.models.x"
        _name = "treg.baddep"
        total = fields.Float(compute="_compute_total", store=True)

        @api.depends("missing_field")
        def _compute_total(self):
            pass

    with pytest.raises(ValueError, match=r"treg\.baddep\.total.*missing_field"):
        Registry.new(db_uri, [BadDepends])
