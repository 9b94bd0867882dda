"""The order of the form view's tests: every widget and behaviour a form has."""
from core import api, fields, models
from core.exceptions import UserError, ValidationError


class Order(models.Model):
    _name = "test.order"
    _description = "Test Order"
    _order = "id desc"

    name = fields.Char(string="Reference", required=True)
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    contact_email = fields.Char(string="Contact Email")
    state = fields.Selection([("draft", "Draft"), ("confirmed", "Confirmed"), ("done", "Done"),
                              ("cancel", "Cancelled")], default="draft", required=True)
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0")
    date_order = fields.Date(string="Order Date", default=fields.Date.context_today)
    deadline = fields.Datetime()
    tag_ids = fields.Many2many("test.order.tag", string="Tags")
    line_ids = fields.One2many("test.order.line", "order_id", string="Lines", copy=True)
    line_count = fields.Integer(compute="_compute_line_count")
    total = fields.Float(compute="_compute_total", store=True, digits=(16, 2))
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    amount_paid = fields.Monetary(string="Paid", currency_field="currency_id")
    discount = fields.Float(string="Discount (%)")
    is_rush = fields.Boolean(string="Rush Order")
    note = fields.Text()
    description = fields.Html()
    attachment = fields.Binary()
    attachment_name = fields.Char()
    picture = fields.Binary()

    @api.depends("line_ids.subtotal")
    def _compute_total(self):
        for order in self:
            order.total = sum(order.line_ids.mapped("subtotal"))

    def _compute_line_count(self):
        for order in self:
            order.line_count = len(order.line_ids)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        for order in self:
            if order.partner_id:
                order.contact_email = order.partner_id.email or False

    @api.constrains("discount")
    def _check_discount(self):
        for order in self:
            if not 0 <= order.discount <= 100:
                raise ValidationError("Discount (%): a discount is between 0 and 100.")

    def action_confirm(self):
        for order in self:
            if not order.line_ids:
                raise UserError("Add a line before confirming the order.")
        self.write({"state": "confirmed"})

    def action_done(self):
        self.write({"state": "done"})

    def action_reset(self):
        self.write({"state": "draft"})

    def action_view_partner(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "res.partner", "view_mode": "form",
                "res_id": self.partner_id.id}

    def action_view_lines(self):
        return {"type": "ir.actions.act_window", "res_model": "test.order.line", "name": "Lines",
                "view_mode": "list,form", "domain": [("order_id", "in", self.ids)]}

    def _secret(self):
        self.write({"state": "done"})
