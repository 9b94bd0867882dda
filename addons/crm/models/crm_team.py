"""Sales teams: a leader, members, and the stages of their pipeline."""
from core import api, fields, models


class CrmTeam(models.Model):
    _name = "crm.team"
    _description = "Sales Team"
    _order = "sequence, name, id"

    name = fields.Char(string="Sales Team", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", string="Company", index=True,
                                 default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users", string="Team Leader", index="btree_not_null",
                              help="The team leader sees and manages every lead of the team")
    member_ids = fields.Many2many("res.users", "crm_team_member_rel", "team_id", "user_id",
                                  string="Salespersons")
    use_leads = fields.Boolean(string="Leads", default=True,
                               help="Qualify incoming requests as leads before they become opportunities")
    use_opportunities = fields.Boolean(string="Pipeline", default=True)
    color = fields.Integer(string="Color Index")

    @api.model
    def _default_team(self, user=None):
        """The first team ``user`` (default: the current user) leads or belongs to, else the first team."""
        user = user or self.env.user
        team = self.search(["|", ("user_id", "=", user.id), ("member_ids", "in", [user.id])], limit=1)
        return team or self.search([], limit=1)
