"""System parameters: a key / value store for settings of the whole database.

``get_param`` and ``set_param`` run as superuser, so that code may read a setting
(``ir_attachment.location``, ``web.base.url``…) for any user; the records
themselves are for administrators only (their access rules say so).  Values are
text; setting a parameter to ``False`` or ``None`` removes it.
"""
import uuid
from datetime import datetime, timezone

from core import api, fields, models

#: parameters every database gets once (``_init_defaults``, called by the loader)
_DEFAULT_PARAMETERS = {
    "database.secret": lambda: str(uuid.uuid4()),
    "database.uuid": lambda: str(uuid.uuid1()),
    "database.create_date": lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
}


class IrConfigParameter(models.Model):
    _name = "ir.config_parameter"
    _description = "System Parameter"
    _rec_name = "key"
    _order = "key"

    key = fields.Char(required=True, index=True)
    value = fields.Text(required=True)

    _sql_constraints = [("key_uniq", "unique (key)", "Key must be unique.")]

    @api.model
    def _init_defaults(self, force=False):
        """Give the database its secret, uuid and creation date (kept unless ``force``).

        Not ``init()``: that runs whenever a registry is built, before the base data
        (the users that ``create_uid`` refers to) exists.
        """
        params = self.sudo()
        existing = {p.key: p for p in params.search([("key", "in", list(_DEFAULT_PARAMETERS))])}
        for key, make in _DEFAULT_PARAMETERS.items():
            if force or key not in existing:
                params.set_param(key, make())

    @api.model
    def get_param(self, key, default=False):
        """The value of parameter ``key``, or ``default`` when it is not set."""
        if not isinstance(key, str) or not key:
            raise ValueError(f"ir.config_parameter.get_param expects a key (a string), got {key!r}")
        param = self.sudo().search([("key", "=", key)], limit=1)
        return param.value if param else default

    @api.model
    def set_param(self, key, value):
        """Set ``key`` to ``value`` (``False`` / ``None`` removes it); returns the old value."""
        if not isinstance(key, str) or not key:
            raise ValueError(f"ir.config_parameter.set_param expects a key (a string), got {key!r}")
        param = self.sudo().search([("key", "=", key)], limit=1)
        old = param.value if param else False
        if value is False or value is None:
            param.unlink()
        elif param:
            if old != str(value):
                param.write({"value": str(value)})
        else:
            self.sudo().create({"key": key, "value": str(value)})
        return old
