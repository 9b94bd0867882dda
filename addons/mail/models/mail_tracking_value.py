"""Tracked changes: one row per field changed by a write, old and new value, on the
notification message that logs the write.

Values go into typed columns, so that they can be searched and shown in the
user's format: integers and booleans in ``*_integer``, floats and amounts in
``*_float``, dates and datetimes in ``*_datetime`` (a date at midnight), text in
``*_char``.  A many2one keeps both the id (``*_integer``) and the display name at the
time of the change (``*_char``): the target may be renamed or deleted later.  A
selection keeps its label, an x2many the display names joined by commas.

A tracking value is as visible as its message (see ``mail_message``).
"""
import datetime

import sqlalchemy as sa

from core import api, fields, models

INTEGER_TYPES = ("integer", "boolean")
FLOAT_TYPES = ("float", "monetary")
DATE_TYPES = ("date", "datetime")
CHAR_TYPES = ("char", "text", "html", "selection")
X2MANY_TYPES = ("one2many", "many2many")
TRACKED_TYPES = INTEGER_TYPES + FLOAT_TYPES + DATE_TYPES + CHAR_TYPES + X2MANY_TYPES + ("many2one",)


class MailTrackingValue(models.Model):
    _name = "mail.tracking.value"
    _description = "Mail Tracking Value"
    _order = "id"

    field_name = fields.Char(required=True)
    field_desc = fields.Char(string="Field Description", required=True)
    field_type = fields.Char()
    old_value_char = fields.Char()
    new_value_char = fields.Char()
    old_value_integer = fields.Integer()
    new_value_integer = fields.Integer()
    old_value_float = fields.Float()
    new_value_float = fields.Float()
    old_value_datetime = fields.Datetime()
    new_value_datetime = fields.Datetime()
    mail_message_id = fields.Many2one("mail.message", string="Message", required=True,
                                      index=True, ondelete="cascade")

    # ------------------------------------------------------------ building
    @api.model
    def _column_values(self, field, old, new):
        """The values of a tracking row for ``field`` changed from ``old`` to ``new``.

        ``old`` / ``new`` are plain values: a many2one is ``(id, display name)`` or
        False, a selection its label, an x2many its display names joined; other fields
        their record value.
        """
        ftype = field.type
        vals = {"field_name": field.name, "field_desc": field.string, "field_type": ftype}
        for prefix, value in (("old_value_", old), ("new_value_", new)):
            if ftype == "many2one":
                vals[prefix + "integer"] = value[0] if value else False
                vals[prefix + "char"] = value[1] if value else False
            elif ftype in INTEGER_TYPES:
                vals[prefix + "integer"] = int(value) if value not in (False, None) else False
            elif ftype in FLOAT_TYPES:
                vals[prefix + "float"] = value if value not in (False, None) else False
            elif ftype == "date":
                vals[prefix + "datetime"] = datetime.datetime.combine(value, datetime.time()) \
                    if value else False
            elif ftype == "datetime":
                vals[prefix + "datetime"] = value or False
            elif ftype in CHAR_TYPES or ftype in X2MANY_TYPES:
                vals[prefix + "char"] = value or False
            else:
                raise ValueError(f"Field {field.model_name}.{field.name} of type {ftype} cannot be "
                                 f"tracked (tracked types: {', '.join(TRACKED_TYPES)})")
        return vals

    # ------------------------------------------------------------ display
    def _format_values(self):
        """``[{"id", "field_name", "field_desc", "field_type", "old", "new"}]``: the values as
        the chatter shows them (plain text; booleans and empty values as the client shows)."""
        result = []
        for value in self:
            ftype = value.field_type
            pair = []
            for prefix in ("old_value_", "new_value_"):
                if ftype in ("many2one",) + CHAR_TYPES + X2MANY_TYPES:
                    shown = value[prefix + "char"] or ""
                elif ftype == "boolean":
                    shown = "✓" if value[prefix + "integer"] else "✗"
                elif ftype in INTEGER_TYPES:
                    shown = str(value[prefix + "integer"] or 0)
                elif ftype in FLOAT_TYPES:
                    shown = f"{value[prefix + 'float'] or 0.0:.2f}"
                elif ftype == "date":
                    moment = value[prefix + "datetime"]
                    shown = moment.date().isoformat() if moment else ""
                elif ftype == "datetime":
                    moment = value[prefix + "datetime"]
                    shown = moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""
                else:
                    shown = value[prefix + "char"] or ""
                pair.append(shown)
            result.append({"id": value.id, "field_name": value.field_name, "field_desc": value.field_desc,
                           "field_type": ftype, "old": pair[0], "new": pair[1]})
        return result

    # ------------------------------------------------------------ access
    def _rules_expression(self, table):
        rules = super()._rules_expression(table)
        if self.env.su or self.env.registry.rule_builder is None:
            return rules
        messages = self.env["mail.message"]
        alias = messages._sql_table.alias()
        visible = table.c.mail_message_id.in_(
            sa.select(alias.c.id).where(messages._visibility_clause(alias)))
        return visible if rules is None else sa.and_(rules, visible)

    def _check_access(self, operation):
        super()._check_access(operation)
        if not self._ids or self.env.su or self.env.registry.access_checker is None:
            return
        ids = [i for i in self._ids if isinstance(i, int)]
        table = self._sql_table
        message_ids = set()
        for start in range(0, len(ids), 1000):
            message_ids.update(self.env.cr.execute(
                sa.select(table.c.mail_message_id).where(self._id_in(table.c.id, ids[start:start + 1000])))
                .scalars())
        self.env["mail.message"].browse(sorted(message_ids))._check_access(
            "read" if operation == "read" else "write")
