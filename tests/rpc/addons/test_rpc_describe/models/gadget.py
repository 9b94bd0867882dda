from core import api, fields, models


class Gadget(models.Model):
    """Gadgets exist so that the RPC description has methods of every kind to describe."""

    _name = "test.rpc.gadget"
    _description = "Gadget"

    name = fields.Char(required=True, help="What the gadget is called")
    kind = fields.Selection([("tool", "Tool"), ("toy", "Toy")], default="tool")
    partner_id = fields.Many2one("res.partner", string="Owner")
    count = fields.Integer()

    @api.model
    def make_many(self, names, prefix=""):
        """Create one gadget per name.

        The prefix is put before each name.
        """
        return self.create([{"name": prefix + name} for name in names]).ids

    def rename(self, name, *, upper=False) -> "boolean":
        """Give the gadgets a new name."""
        self.write({"name": name.upper() if upper else name})
        return True

    @api.private
    def reset_counts(self):
        """Public by its name, but not over RPC."""
        self.write({"count": 0})

    def _bump(self):
        self.write({"count": self.count + 1})

    def search(self, domain=None, offset=0, limit=None, order=None):
        # an override without @api.model: still a model method over RPC
        return super().search(domain, offset=offset, limit=limit, order=order)

    def sudo(self, flag=True):
        # an override without @api.private: still private over RPC
        return super().sudo(flag)
