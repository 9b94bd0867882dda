from core import api, fields, models
from core.exceptions import UserError

STATES = [
    ("uninstallable", "Not Installable"),
    ("uninstalled", "Not Installed"),
    ("installed", "Installed"),
    ("to upgrade", "To be upgraded"),
    ("to remove", "To be removed"),
    ("to install", "To be installed"),
]


class Module(models.Model):
    """One addon found on the addons path, with its state in this database."""

    _name = "ir.module.module"
    _description = "Module"
    _order = "application desc, sequence, name"

    name = fields.Char(string="Technical Name", required=True, index=True)
    shortdesc = fields.Char(string="Module Name", translate=True)
    summary = fields.Char(translate=True)
    description = fields.Text(translate=True)
    author = fields.Char()
    website = fields.Char()
    license = fields.Char()
    category = fields.Char()
    sequence = fields.Integer(default=100)
    latest_version = fields.Char(string="Installed Version")
    published_version = fields.Char(string="Available Version")
    state = fields.Selection(STATES, default="uninstalled", required=True, index=True)
    demo = fields.Boolean(string="Demo Data", default=False)
    application = fields.Boolean()
    auto_install = fields.Boolean()
    dependencies_id = fields.One2many("ir.module.module.dependency", "module_id", string="Dependencies")

    _sql_constraints = [("name_uniq", "unique(name)", "The name of the module must be unique!")]

    def _manager(self):
        manager = self.env.registry.manager
        if manager is None:
            raise UserError("Modules can only be installed through a running server or the CLI")
        return manager

    def _apply(self, operation):
        """Run a module operation in this transaction; this environment's cache is stale after."""
        result = operation(self.mapped("name"), cr=self.env.cr)
        self.env.invalidate_all()
        return result

    def button_immediate_install(self):
        """Install these addons (and what they need) now, in this transaction."""
        return self._apply(self._manager().install)

    def button_immediate_upgrade(self):
        return self._apply(self._manager().upgrade)

    def button_immediate_uninstall(self):
        return self._apply(self._manager().uninstall)

    def plan_uninstall(self):
        """What uninstalling these addons would remove (nothing is changed)."""
        return self._manager().plan_uninstall(self.mapped("name"), cr=self.env.cr)

    @api.model
    def update_list(self):
        """Read the addons path again and refresh the rows from the addons found there."""
        manager = self._manager()
        manager.rescan()
        return manager.update_list(self.env)


class ModuleDependency(models.Model):
    _name = "ir.module.module.dependency"
    _description = "Module dependency"

    name = fields.Char(index=True)
    module_id = fields.Many2one("ir.module.module", string="Module", ondelete="cascade", required=True)
