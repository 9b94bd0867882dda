"""Stages of the pipeline: their order, the probability of winning they stand for,
and which one means won (or lost)."""
from core import fields, models


class CrmStage(models.Model):
    _name = "crm.stage"
    _description = "CRM Stages"
    _order = "sequence, name, id"

    name = fields.Char(string="Stage Name", required=True, translate=True)
    sequence = fields.Integer(default=1, help="Order of the stages in the pipeline")
    probability = fields.Float(string="Probability (%)", default=10.0,
                               help="The chance of winning an opportunity in this stage, unless set "
                                    "by hand on the opportunity")
    is_won = fields.Boolean(string="Is Won Stage?")
    is_lost = fields.Boolean(string="Is Lost Stage?",
                             help="Moving an opportunity here marks it lost: a lost reason is required")
    fold = fields.Boolean(string="Folded in Pipeline",
                          help="Folded in the kanban view when it has no opportunities to show")
    team_id = fields.Many2one("crm.team", string="Sales Team", ondelete="set null",
                              help="The team this stage belongs to; empty: every team")
    requirements = fields.Text(help="What must be done before an opportunity moves on from here")

    _sql_constraints = [
        ("check_probability", "CHECK(probability >= 0 AND probability <= 100)",
         "The probability of a stage must be between 0 and 100."),
        ("check_won_lost", "CHECK(NOT (is_won AND is_lost))", "A stage cannot be both won and lost."),
    ]
