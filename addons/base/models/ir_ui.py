"""Technical models of the user interface: views, menus, window actions.

Views are assembled, checked and filtered by groups in core/views.py; this file
stores them and serves them (``get_view``/``get_views``) in Odoo's shapes, their
labels in the user's language (the catalogs' ``model_terms:ir.ui.view,arch_db``
entries).  Rendering them is the web client's job.
"""
import copy

from core import api, fields, i18n, models, security
from core import views as view_tools


class UiCacheMixin(models.AbstractModel):
    """Records the answers of ``load_menus`` / ``get_view`` are built from: changing one
    drops those answers (the registry's shared cache), in every worker once committed."""

    _name = "ir.ui.cache.mixin"
    _description = "Menus and views cache"

    @api.model_create_multi
    def create(self, vals_list):
        ui_changed(self)
        return super().create(vals_list)

    def write(self, vals):
        ui_changed(self)
        return super().write(vals)

    def unlink(self):
        ui_changed(self)
        return super().unlink()


class View(models.Model):
    _name = "ir.ui.view"
    _inherit = ["ir.ui.cache.mixin"]
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

    # ------------------------------------------------------------ defaults
    def _complete_values(self, vals):
        """Odoo's implicit values: an inheriting view is an extension on the parent's
        model and type unless told otherwise; the type of a primary view is its root tag."""
        vals = dict(vals)
        arch = vals.get("arch", vals.get("arch_db"))
        if "inherit_id" in vals:
            vals.setdefault("mode", "extension" if vals["inherit_id"] else "primary")
        if vals.get("inherit_id"):
            parent = self.browse(vals["inherit_id"]).sudo()
            if not vals.get("model"):
                vals["model"] = parent.model
            if not vals.get("type"):
                vals["type"] = parent.type
        elif arch and not vals.get("type"):
            try:
                tag = view_tools.parse_arch(arch).tag
            except Exception:  # the constraint reports broken XML with the view's name
                tag = None
            if tag in dict(self._fields["type"].selection):
                vals["type"] = tag
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._complete_values(vals) for vals in vals_list])

    def write(self, vals):
        if "inherit_id" in vals:
            vals = dict(vals)
            vals.setdefault("mode", "extension" if vals["inherit_id"] else "primary")
        return super().write(vals)

    # ------------------------------------------------------------ checks
    @api.constrains("arch", "arch_db", "inherit_id", "mode", "model", "type", "active")
    def _check_arch(self):
        """Every view must assemble and validate, with all its extensions: a broken view
        fails when it is created or written (so at install), naming the view."""
        for view in self.sudo():
            if not view.active:
                continue
            def label(view=view):
                return view_tools.view_label(view)
            try:
                arch = view_tools.combined_arch(self.env(su=True), view)
            except view_tools.ViewError:
                raise
            except Exception as exc:
                raise view_tools.ViewError(f"View {label()}: {type(exc).__name__}: {exc}") from None
            root = view_tools.root_view(view)
            view_tools.validate_arch(self.env, root.model, arch, root.type or arch.tag, label)

    # ------------------------------------------------------------ reading
    def get_combined_arch(self):
        """The architecture of this view's primary view with every extension that
        applies to the user, as text."""
        self.ensure_one()
        return view_tools.tostring(view_tools.combined_arch(self.env, self))

    @api.model
    def _find_view(self, model, view_type):
        types = ["list", "tree"] if view_type in ("list", "tree") else [view_type]
        return self.sudo().search([("model", "=", model), ("type", "in", types),
                                   ("mode", "=", "primary")], order="priority, name, id", limit=1)

    @api.model
    def get_view(self, model, view_type="form", view_id=None):
        """``{'arch', 'id', 'model', 'type', 'fields'}`` of the view of ``model`` (the given
        one, else the primary one with the lowest priority, else a default view), filtered
        for the current user's groups; ``fields`` describes the model's fields it uses.

        The answer depends on the views, the user's groups and language only: it is kept
        in the registry's shared cache.  The dict returned is the caller's; the nested
        ``fields`` / ``models`` dicts are shared and must not be changed."""
        if model not in self.env:
            raise ValueError(f"get_view: unknown model {model!r}")
        groups = security.user_group_ids(self.env) if not self.env.su else None
        key = ("view", model, view_type, view_id or False, groups, self.env.lang)
        return dict(self.env.registry.shared_cache.get(
            self.env.cr, key, lambda: self._build_view(model, view_type, view_id)))

    @api.model
    def _build_view(self, model, view_type, view_id):
        records = self.env[model]
        view = self.sudo().browse(view_id) if view_id else self._find_view(model, view_type)
        if view:
            view = view_tools.root_view(view)
            applied = []
            arch = view_tools.combined_arch(self.env, view, applied=applied)
            view_type = view.type or arch.tag
            self._translate_arch(arch, applied)
        else:
            arch = view_tools.default_arch(records, view_type)
        if view_type == "tree":
            view_type = "list"
        view_tools.apply_groups(records, arch)
        used = view_tools.used_fields(self.env, model, arch)
        return {
            "arch": view_tools.tostring(arch),
            "id": view.id or False,
            "model": model,
            "type": view_type,
            "fields": records.fields_get(used[model]) if used[model] else {},
            "models": {name: self.env[name].fields_get(names) if names else {}
                       for name, names in used.items()},
        }

    @api.model
    def _translate_arch(self, arch, views):
        """Put the terms of ``arch`` (assembled from ``views``) into the user's language.

        Each view's terms come from the catalog of the addon that owns its xml id, as the
        ``model_terms:ir.ui.view,arch_db:<xml id>`` entries of ``<addon>/i18n/<lang>.po``;
        the whole architecture is translated with the terms of all its views (a later
        view's translation of a term wins), after assembly, so that locators keep
        matching the English architecture.  A view without xml id has no translations.
        """
        lang = self.env.lang
        if not lang or lang == i18n.DEFAULT_LANG or not views:
            return arch
        rows = self.env["ir.model.data"].sudo().search_read(
            [("model", "=", "ir.ui.view"), ("res_id", "in", [view.id for view in views])],
            ["module", "name", "res_id"])
        xmlids = {}
        for row in rows:
            xmlids.setdefault(row["res_id"], []).append(f"{row['module']}.{row['name']}")
        mapping = {}
        for view in views:
            for xmlid in sorted(xmlids.get(view.id, ())):
                mapping.update(i18n.addon_terms(xmlid.partition(".")[0], lang).model_terms.get(
                    ("ir.ui.view", "arch_db", xmlid), {}))
        return view_tools.translate_arch(arch, mapping)

    @api.model
    def get_views(self, model, views=(), options=None):
        """Odoo's shape: ``{'models': {model: fields}, 'views': {type: get_view(...)}}`` for
        ``views`` = ``[[view_id or False, type], ...]``."""
        result = {"models": {}, "views": {}}
        for view_id, view_type in views:
            description = self.get_view(model, view_type, view_id or None)
            result["views"][description["type"] if view_type == "tree" else view_type] = description
            for name, fields_ in description["models"].items():
                result["models"].setdefault(name, {}).update(fields_)
        result["models"].setdefault(model, {})
        return result


class Menu(models.Model):
    _name = "ir.ui.menu"
    _inherit = ["ir.ui.cache.mixin"]
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

    def _action_record(self):
        """The action record this menu opens (sudo), or None."""
        model, _, res_id = (self.action or "").partition(",")
        if model not in self.env or not res_id.isdigit():
            return None
        action = self.env[model].sudo().browse(int(res_id)).exists()
        return action or None

    @api.model
    def load_menus(self):
        """The menus the current user may see, as a tree of plain dicts.

        ``[{'id', 'name', 'action': (model, id) or None, 'web_icon', 'children': [...]}]``
        for the root menus, in (sequence, id) order.  A menu is hidden when its groups
        do not include the user, when its window action's model is not readable by the
        user or the action is restricted to other groups, and when it has neither an
        action nor a visible child (as in Odoo).

        The answer depends only on the user's groups and language: it is kept in the
        registry's shared cache (dropped when menus, actions or security change).
        Callers get their own copy.
        """
        groups = security.user_group_ids(self.env) if not self.env.su else None
        key = ("menus", groups, self.env.lang)
        tree = self.env.registry.shared_cache.get(self.env.cr, key, self._visible_menus)
        return copy.deepcopy(tree)

    def _visible_menus(self):
        menus = self.search([])   # active ones, translated, in order
        user_groups = security.user_group_ids(self.env)
        rows = menus.sudo().read(["name", "action", "web_icon", "sequence", "parent_id", "groups_id"],
                                 load=None)
        # the actions, one query per action model, not one per menu
        wanted = {}
        for row in rows:
            model, _, res_id = (row["action"] or "").partition(",")
            if model in self.env and res_id.isdigit():
                wanted.setdefault(model, set()).add(int(res_id))
        actions = {}
        for model, ids in wanted.items():
            names = ["groups_id"] + (["res_model"] if model == "ir.actions.act_window" else [])
            for action in self.env[model].sudo().browse(sorted(ids)).exists().read(names, load=None):
                actions[(model, action["id"])] = action
        readable = {}

        def action_of(row):
            model, _, res_id = (row["action"] or "").partition(",")
            action = actions.get((model, int(res_id))) if res_id.isdigit() else None
            if action is None:
                return None
            if action["groups_id"] and not set(action["groups_id"]) & user_groups:
                return None
            if model == "ir.actions.act_window":
                target = action["res_model"]
                if target not in readable:
                    readable[target] = target in self.env and (self.env.su or security.check_model_access(
                        self.env, target, "read", raise_exception=False))
                if not readable[target]:
                    return None
            return (model, action["id"])

        nodes = {}
        for row in rows:
            if self.env.su or not row["groups_id"] or set(row["groups_id"]) & user_groups:
                nodes[row["id"]] = {"id": row["id"], "name": row["name"], "action": action_of(row),
                                    "web_icon": row["web_icon"] or False, "sequence": row["sequence"],
                                    "parent_id": row["parent_id"] or False, "children": []}
        roots = []
        for node in nodes.values():
            parent = node["parent_id"]
            if parent and parent in nodes:
                nodes[parent]["children"].append(node)
            elif not parent:
                roots.append(node)

        def prune(items):
            kept = []
            for item in items:
                item["children"] = prune(item["children"])
                if item["action"] or item["children"]:
                    kept.append(item)
            return kept
        return prune(roots)


def ui_changed(records):
    """Menus, actions or views change in this transaction: the answers built from them
    (``load_menus``, ``get_view``) are dropped, in every worker once it commits."""
    records.env.registry.shared_cache.invalidate(records.env.cr)


class WindowAction(models.Model):
    _name = "ir.actions.act_window"
    _inherit = ["ir.ui.cache.mixin"]
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

    def _views_list(self):
        """``[[view_id or False, type], ...]`` in ``view_mode`` order; ``view_id`` serves
        the mode of its own type."""
        modes = [mode.strip() for mode in (self.view_mode or "").split(",") if mode.strip()]
        view = self.sudo().view_id
        view_type = "list" if view.type == "tree" else view.type
        return [[view.id if view and view_type == ("list" if mode == "tree" else mode) else False, mode]
                for mode in modes]

    def read_action(self):
        """The dict a client needs to open this action; domain and context stay text."""
        self.ensure_one()
        search_view = self.sudo().search_view_id
        return {
            "id": self.id,
            "type": self.type or "ir.actions.act_window",
            "name": self.name,
            "res_model": self.res_model,
            "res_id": self.res_id or False,
            "view_mode": [mode.strip() for mode in (self.view_mode or "").split(",") if mode.strip()],
            "views": self._views_list(),
            "view_id": [self.view_id.id, self.view_id.name] if self.view_id else False,
            "search_view_id": [search_view.id, search_view.name] if search_view else False,
            "domain": self.domain or False,
            "context": self.context or "{}",
            "limit": self.limit,
            "target": self.target or "current",
            "help": self.help or False,
        }


class UrlAction(models.Model):
    """An action that opens a URL: a page of the web client that is not a view
    (the Apps page) or another site."""

    _name = "ir.actions.act_url"
    _inherit = ["ir.ui.cache.mixin"]
    _description = "Action URL"
    _table = "ir_act_url"
    _order = "name, id"

    name = fields.Char(string="Action Name", required=True, translate=True)
    type = fields.Char(default="ir.actions.act_url")
    url = fields.Char(string="Action URL", required=True)
    target = fields.Selection([("new", "New Window"), ("self", "This Window")], default="self", required=True)
    groups_id = fields.Many2many("res.groups", "ir_act_url_group_rel", "act_id", "gid", string="Groups")
