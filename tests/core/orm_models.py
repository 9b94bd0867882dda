"""Models shared by the ORM tests (imported by tests/core/conftest.py)."""
import sqlalchemy as sa

from core import api, fields, models
from core.exceptions import ValidationError


class Category(models.Model):
    _name = "test.category"
    _description = "Category"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    partner_ids = fields.Many2many("test.partner", "test_category_test_partner_rel",
                                   "test_category_id", "test_partner_id")


class Country(models.Model):
    _name = "test.country"
    _description = "Country"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(size=2)


class Partner(models.Model):
    _name = "test.partner"
    _description = "Partner"
    _order = "name, id"
    _parent_store = True

    name = fields.Char(required=True, index=True)
    website = fields.Char()
    city = fields.Char()
    active = fields.Boolean(default=True)
    is_company = fields.Boolean()
    color = fields.Integer()
    credit_limit = fields.Float(digits=(16, 2))
    birthday = fields.Date()
    last_seen = fields.Datetime()
    kind = fields.Selection([("person", "Person"), ("company", "Company")], default="person")
    parent_id = fields.Many2one("test.partner", ondelete="cascade")
    child_ids = fields.One2many("test.partner", "parent_id")
    category_ids = fields.Many2many("test.category", string="Tags")
    country_id = fields.Many2one("test.country")
    country_code = fields.Char(related="country_id.code")
    user_ids = fields.One2many("test.user", "partner_id")
    task_ids = fields.One2many("test.task", "partner_id")
    notes = fields.Text()
    data = fields.Json()
    picture = fields.Binary()
    upper_city = fields.Char(compute="_compute_upper_city", inverse="_inverse_upper_city",
                             search="_search_upper_city")

    viewer = fields.Char(compute="_compute_viewer", help="who reads: depends on the environment")
    greeting = fields.Char(compute="_compute_greeting", depends_context=("tone",))

    @api.depends_context("uid", "su")
    def _compute_viewer(self):
        for partner in self:
            partner.viewer = f"uid={self.env.uid} su={self.env.su}"

    @api.depends("name")
    def _compute_greeting(self):
        tone = self.env.context.get("tone")
        for partner in self:
            text = f"Hello {partner.name}"
            partner.greeting = text.upper() if tone == "loud" else text.lower() if tone == "soft" else text

    @api.depends("city")
    def _compute_upper_city(self):
        for partner in self:
            partner.upper_city = partner.city.upper() if partner.city else False

    def _inverse_upper_city(self):
        for partner in self:
            partner.city = partner.upper_city.title() if partner.upper_city else False

    def _search_upper_city(self, operator, value):
        return [("city", "=ilike", value)] if operator == "=" else [("city", operator, value)]

    _sql_constraints = [
        ("color_positive", "check(color >= 0)", "The color index must be positive."),
    ]


class User(models.Model):
    _name = "test.user"
    _description = "User"
    _inherits = {"test.partner": "partner_id"}

    partner_id = fields.Many2one("test.partner", required=True, ondelete="cascade")
    login = fields.Char(required=True)

    _sql_constraints = [("login_unique", "unique(login)", "Logins must be unique.")]


class Order(models.Model):
    _name = "test.order"
    _description = "Order"
    _order = "date desc, id desc"

    name = fields.Char(default="New")
    partner_id = fields.Many2one("test.partner", required=True, ondelete="restrict")
    date = fields.Date()
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    line_ids = fields.One2many("test.order.line", "order_id", copy=True)
    amount_total = fields.Float(compute="_compute_amount_total", store=True)
    line_count = fields.Integer(compute="_compute_line_count")
    partner_city = fields.Char(related="partner_id.city", store=True)
    discount = fields.Float()

    @api.depends("line_ids.subtotal", "discount")
    def _compute_amount_total(self):
        for order in self:
            order.amount_total = sum(order.line_ids.mapped("subtotal")) - order.discount

    @api.depends("line_ids")
    def _compute_line_count(self):
        for order in self:
            order.line_count = len(order.line_ids)

    @api.constrains("discount")
    def _check_discount(self):
        for order in self:
            if order.discount < 0:
                raise ValidationError(f"Discount of {order.name} cannot be negative")

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id and self.partner_id.city == "Nowhere":
            return {"warning": {"title": "Careful", "message": "This partner lives nowhere."}}

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        for order in self:
            if order.state == "done":
                raise ValidationError("A done order cannot be deleted")


class OrderLine(models.Model):
    _name = "test.order.line"
    _description = "Order Line"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    order_id = fields.Many2one("test.order", required=True, ondelete="cascade")
    product = fields.Char()
    quantity = fields.Float(default=1.0)
    price = fields.Float()
    subtotal = fields.Float(compute="_compute_subtotal", store=True)

    @api.depends("quantity", "price")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.price


class Task(models.Model):
    _name = "test.task"
    _description = "Task"

    name = fields.Char()
    partner_id = fields.Many2one("test.partner")


class OrderReport(models.Model):
    """A read-only reporting model over an SQL view, as ``_auto = False`` allows."""

    _name = "test.order.report"
    _description = "Orders per partner"
    _auto = False

    partner_id = fields.Many2one("test.partner")
    order_count = fields.Integer()

    def init(self):
        self.env.cr.execute(sa.text("DROP VIEW IF EXISTS test_order_report"))
        self.env.cr.execute(sa.text(
            "CREATE VIEW test_order_report AS SELECT partner_id AS id, partner_id, "
            "COUNT(*) AS order_count FROM test_order GROUP BY partner_id"))


class Shipment(models.Model):
    """Onchange methods that change each other's fields: a chain a form follows."""

    _name = "test.shipment"
    _description = "Shipment"

    country_id = fields.Many2one("test.country")
    carrier = fields.Char()
    tracking_url = fields.Char()
    label = fields.Char(compute="_compute_label")

    @api.onchange("country_id")
    def _onchange_country_id(self):
        self.carrier = "Post" if self.country_id.code == "DE" else "Courier"

    @api.onchange("carrier")
    def _onchange_carrier(self):
        self.tracking_url = f"https://track.example/{(self.carrier or '').lower()}"

    @api.depends("carrier", "tracking_url")
    def _compute_label(self):
        for shipment in self:
            shipment.label = f"{shipment.carrier}: {shipment.tracking_url}"


class Assignment(models.Model):
    """Writable computed fields that pick a default by searching (as a CRM stage does)."""

    _name = "test.assignment"
    _description = "Assignment"

    name = fields.Char()
    country_id = fields.Many2one("test.country")
    owner_id = fields.Many2one("test.partner", compute="_compute_owner_id", store=True, readonly=False)
    owner_city = fields.Char(compute="_compute_owner_city", store=True)
    label = fields.Char(compute="_compute_label", store=True)

    @api.depends("country_id")
    def _compute_owner_id(self):
        for record in self:
            if not record.owner_id:       # chosen once, by a search; kept afterwards
                record.owner_id = self.env["test.partner"].search([("city", "!=", False)], limit=1)

    @api.depends("owner_id")
    def _compute_owner_city(self):
        for record in self:
            record.owner_city = record.owner_id.city

    @api.depends("owner_city", "name")
    def _compute_label(self):
        for record in self:
            record.label = f"{record.name} @ {record.owner_city}"


MODELS = [Category, Country, Partner, User, Order, OrderLine, Task, OrderReport, Shipment, Assignment]
