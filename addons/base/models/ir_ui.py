"""Technical models of the user interface: views, menus, window actions.

Only the data lives here; assembling and rendering views is the web client's job.
"""
from core import fields, models


class View(models.Model):
    _name = "ir.ui.view"
    _description = "View"
    _order = "priority, name, id"

    name = fields.Char(string="View Name", required=True)
    model = fields.Char(index=True)
    key = fields.Char(index=True)
    priority = fields.Integer(default=16, required=True)
    type = fields.Selection([("list", "List"), ("tree", "Tree"), ("form", "Form"), ("search", "Search"),
                             ("kanban", "Kanban"), ("calendar", "Calendar"), ("graph", "Graph"),
                             ("pivot", "Pivot"), ("qweb", "QWeb")], string="View Type")
    arch_db = fields.Text(string="Arch")
    arch = fields.Text(compute="_compute_arch", inverse="_inverse_arch")
    inherit_id = fields.Many2one("ir.ui.view", string="Inherited View", ondelete="restrict", index=True)
    inherit_children_ids = fields.One2many("ir.ui.view", "inherit_id", string="Views which inherit from this one")
    mode = fields.Selection([("primary", "Base view"), ("extension", "Extension View")],
                            default="primary", required=True)
    active = fields.Boolean(default=True)
    groups_id = fields.Many2many("res.groups", "ir_ui_view_group_rel", "view_id", "group_id", string="Groups")

    def _compute_arch(self):
        for view in self:
            view.arch = view.arch_db

    def _inverse_arch(self):
        for view in self:
            view.arch_db = view.arch


class Menu(models.Model):
    _name = "ir.ui.menu"
    _description = "Menu"
    _order = "sequence, id"
    _parent_store = True

    name = fields.Char(string="Menu", required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("ir.ui.menu", string="Parent Menu", index=True, ondelete="restrict")
    child_id = fields.One2many("ir.ui.menu", "parent_id", string="Child IDs")
    groups_id = fields.Many2many("res.groups", "ir_ui_menu_group_rel", "menu_id", "gid", string="Groups")
    action = fields.Char(help="Reference 'model,id' of the action the menu opens")
    web_icon = fields.Char()


class WindowAction(models.Model):
    _name = "ir.actions.act_window"
    _description = "Action Window"
    _table = "ir_act_window"
    _order = "name, id"

    name = fields.Char(string="Action Name", required=True, translate=True)
    type = fields.Char(default="ir.actions.act_window")
    res_model = fields.Char(string="Destination Model", required=True)
    res_id = fields.Integer(string="Record ID")
    view_mode = fields.Char(required=True, default="list,form")
    view_id = fields.Many2one("ir.ui.view", string="View Ref.", ondelete="set null")
    search_view_id = fields.Many2one("ir.ui.view", string="Search View Ref.")
    domain = fields.Char(string="Domain Value")
    context = fields.Char(string="Context Value", default="{}", required=True)
    limit = fields.Integer(default=80)
    target = fields.Selection([("current", "Current Window"), ("new", "New Window"),
                               ("inline", "Inline Edit"), ("fullscreen", "Full Screen"),
                               ("main", "Main action of Current Window")], default="current")
    help = fields.Html(translate=True)
    groups_id = fields.Many2many("res.groups", "ir_act_window_group_rel", "act_id", "gid", string="Groups")
