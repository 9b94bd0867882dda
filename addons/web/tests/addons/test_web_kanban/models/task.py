"""A task on the board: what a CRM lead shows on a card (stage, tags, priority stars,
responsible user, colour, expected amount)."""
from core import api, fields, models
from core.exceptions import ValidationError


class Task(models.Model):
    _name = "test.kanban.task"
    _description = "Kanban Task"
    _order = "sequence, id"

    name = fields.Char(string="Title", required=True)
    sequence = fields.Integer(default=10)
    stage_id = fields.Many2one("test.kanban.stage", string="Stage", index=True,
                               group_expand="_read_group_stage_ids",
                               default=lambda self: self.env["test.kanban.stage"].search([], limit=1))
    color = fields.Integer(string="Color Index")
    priority = fields.Selection([("0", "Normal"), ("1", "Good"), ("2", "Very Good"), ("3", "Excellent")],
                                default="0")
    tag_ids = fields.Many2many("test.kanban.tag", string="Tags")
    user_id = fields.Many2one("res.users", string="Responsible")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(string="Expected Amount", currency_field="currency_id")
    locked = fields.Boolean(help="Internal users may not change a locked task (a record rule)")
    description = fields.Text()
    state = fields.Selection([("open", "Open"), ("blocked", "Blocked"), ("done", "Done")], default="open")
    active = fields.Boolean(default=True)

    def _read_group_stage_ids(self, stages, domain):
        """Every stage is a column of the board, even without tasks."""
        return stages.search([], order=stages._order)

    @api.constrains("stage_id", "amount")
    def _check_won_amount(self):
        for task in self:
            if task.stage_id.name == "Won" and not task.amount:
                raise ValidationError(f"“{task.name}” cannot be won without an expected amount.")
