import hashlib
import json

from core import api, fields, models


#: Odoo's ``state`` of reflected models and fields; every row here comes from code
STATES = [("manual", "Custom Object"), ("base", "Base Object")]


class IrModel(models.Model):
    """One row per model of the registry (abstract and transient ones too), kept in
    step with the code by the module loader (``core/modules/reflection.py``)."""

    _name = "ir.model"
    _description = "Models"
    _order = "model"
    _rec_name = "name"

    name = fields.Char(string="Model Description", required=True, translate=True)
    model = fields.Char(required=True, index=True)
    info = fields.Text(string="Information", help="The model's docstring")
    field_id = fields.One2many("ir.model.fields", "model_id", string="Fields")
    modules = fields.Char(string="In Apps", help="Addons that define or extend the model")
    state = fields.Selection(STATES, string="Type", default="base", readonly=True)
    transient = fields.Boolean()
    abstract = fields.Boolean()

    _sql_constraints = [("obj_name_uniq", "unique(model)", "Each model must have a unique name.")]


class IrModelFields(models.Model):
    """One row per field of every model of the registry, reflected like ir.model."""

    _name = "ir.model.fields"
    _description = "Fields"
    _order = "model, name"
    _rec_name = "field_description"

    name = fields.Char(string="Field Name", required=True, index=True)
    model = fields.Char(string="Model Name", required=True, index=True)
    model_id = fields.Many2one("ir.model", string="Model", required=True, ondelete="cascade", index=True)
    field_description = fields.Char(string="Field Label", translate=True)
    help = fields.Text(translate=True)
    ttype = fields.Char(string="Field Type", required=True)
    relation = fields.Char(string="Related Model", help="The comodel of a relational field")
    relation_field = fields.Char(help="The many2one of the comodel a one2many is the inverse of")
    relation_table = fields.Char(help="The table of a many2many")
    column1 = fields.Char(help="The many2many table's column referring to this model")
    column2 = fields.Char(help="The many2many table's column referring to the comodel")
    on_delete = fields.Char(help="What a many2one does when its target is deleted")
    required = fields.Boolean()
    readonly = fields.Boolean()
    store = fields.Boolean(default=True)
    index = fields.Boolean()
    copied = fields.Boolean(help="Whether copy() copies the value")
    translate = fields.Boolean()
    related = fields.Char()
    groups = fields.Char()
    selection = fields.Text(string="Selection Options", help="[(value, label), ...] of a selection field")
    modules = fields.Char(string="In Apps")
    state = fields.Selection(STATES, string="Type", default="base", readonly=True)

    _sql_constraints = [("name_unique", "unique(model, name)", "Field names must be unique per model.")]


class IrModelData(models.Model):
    """External identifiers ``module.name`` of records, and which addon owns them."""

    _name = "ir.model.data"
    _description = "Model Data"
    _order = "module, model, name"
    _rec_name = "name"

    name = fields.Char(string="External Identifier", required=True)
    module = fields.Char(required=True, index=True)
    model = fields.Char(string="Model Name", required=True, index=True)
    res_id = fields.Integer(string="Record ID", index=True)
    noupdate = fields.Boolean(default=False)
    checksum = fields.Char(help="Hash of the values last loaded from the addon's files; "
                                "a record whose values differ was edited since and is not "
                                "overwritten on upgrade")

    _sql_constraints = [("name_nospaces", "CHECK(name NOT LIKE '% %')", "External IDs cannot contain spaces"),
                        ("module_name_uniq", "unique(module, name)", "External ID must be unique per module")]

    @api.model
    def _xmlid_lookup(self, xmlid):
        """``(model, res_id, noupdate)`` of ``module.name``; ValueError if unknown."""
        module, _, name = xmlid.partition(".")
        if not name:
            raise ValueError(f"External ID {xmlid!r} must be of the form 'module.name'")
        cache = self.env.transaction.xmlids
        if xmlid in cache:
            return cache[xmlid]
        rows = self.sudo().search_read([("module", "=", module), ("name", "=", name)],
                                       ["model", "res_id", "noupdate"], limit=1)
        if not rows:
            raise ValueError(f"External ID not found in the system: {xmlid}")
        result = (rows[0]["model"], rows[0]["res_id"], rows[0]["noupdate"])
        cache[xmlid] = result
        return result

    @api.model
    def _xmlid_to_res_id(self, xmlid, raise_if_not_found=False):
        try:
            return self._xmlid_lookup(xmlid)[1]
        except ValueError:
            if raise_if_not_found:
                raise
            return False

    @api.model
    def _xmlid_to_record(self, xmlid, raise_if_not_found=True):
        try:
            model, res_id, _ = self._xmlid_lookup(xmlid)
        except ValueError:
            if raise_if_not_found:
                raise
            return None
        record = self.env[model].browse(res_id)
        if record.exists():
            return record
        if raise_if_not_found:
            raise ValueError(f"External ID {xmlid} points to a deleted record {model}({res_id})")
        return None

    @staticmethod
    def values_checksum(values):
        """A stable hash of loaded values, to notice later edits by users."""
        text = json.dumps(values, sort_keys=True, default=str)
        return hashlib.sha1(text.encode()).hexdigest()
