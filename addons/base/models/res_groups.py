"""Groups of users: what access rights, record rules, menus and fields hang on.

A member of a group is a member of every group it implies (``implied_ids``),
transitively (``trans_implied_ids``).  Access checks compute that closure
themselves (``core.security.implied_closure``); the stored memberships are kept
complete as well, as in Odoo: adding a user to a group, or an implied group to a
group, links the users to the implied groups.
"""
from core import api, fields, models, security
from core.exceptions import ValidationError
from core.fields import Command


class Groups(models.Model):
    _name = "res.groups"
    _description = "Access Groups"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    comment = fields.Text(translate=True)
    full_name = fields.Char(compute="_compute_full_name", string="Group Name")
    share = fields.Boolean(string="Share Group", default=False,
                           help="Group of external users (portal, public)")
    implied_ids = fields.Many2many("res.groups", "res_groups_implied_rel", "gid", "hid",
                                   string="Inherits",
                                   help="Users of this group are automatically in these groups too")
    trans_implied_ids = fields.Many2many("res.groups", string="Transitively Inherits",
                                         compute="_compute_trans_implied")
    users = fields.Many2many("res.users", "res_groups_users_rel", "gid", "uid")
    model_access = fields.One2many("ir.model.access", "group_id", string="Access Controls")
    rule_groups = fields.Many2many("ir.rule", "rule_group_rel", "group_id", "rule_group_id",
                                   string="Rules")

    @api.depends("name")
    def _compute_full_name(self):
        for group in self:
            group.full_name = group.name

    @api.depends("implied_ids")
    def _compute_trans_implied(self):
        for group in self:
            closure = security.implied_closure(self.env, group.implied_ids.ids)
            group.trans_implied_ids = self.browse(sorted(closure))

    @api.constrains("implied_ids")
    def _check_implied_cycle(self):
        security.invalidate(self.env)
        for group in self:
            if group.id in security.implied_closure(self.env, group.implied_ids.ids):
                raise ValidationError(f"Group {group.name!r} would imply itself through its implied groups: "
                                      f"remove the cycle from implied_ids.")

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        groups._memberships_changed(groups._all_users())
        groups._link_users_to_implied()
        return groups

    def write(self, vals):
        before = self._all_users() if "users" in vals else None
        result = super().write(vals)
        self._memberships_changed(before | self._all_users() if before is not None else None)
        if "implied_ids" in vals or "users" in vals:
            self._link_users_to_implied()
        return result

    def _all_users(self):
        return self.sudo().with_context(active_test=False).users

    def _memberships_changed(self, users=None):
        """Forget what was read about memberships: the ORM caches each side of
        res_groups_users_rel apart, and the security memo has its own.  ``users``
        whose groups changed from this side get what depends on their groups
        (``share``) recomputed."""
        self.env["res.users"].invalidate_model(["groups_id"])
        self.env["ir.rule"].invalidate_model(["groups"])
        security.invalidate(self.env)
        if users:
            users._modified(["groups_id"])

    def unlink(self):
        result = super().unlink()
        security.invalidate(self.env)
        return result

    def _link_users_to_implied(self):
        """The users of these groups join the groups implied by them (stored rows)."""
        for group in self.sudo().with_context(active_test=False):
            implied = security.implied_closure(self.env, group.implied_ids.ids) - {group.id}
            users = group.users.ids
            if not implied or not users:
                continue
            for target in self.sudo().browse(sorted(implied)):
                missing = set(users) - set(target.with_context(active_test=False).users.ids)
                if missing:
                    super(Groups, target).write({"users": [Command.link(uid) for uid in sorted(missing)]})
                    self._memberships_changed(self.env["res.users"].sudo().browse(sorted(missing)))
