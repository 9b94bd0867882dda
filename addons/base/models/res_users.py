"""Users: who logs in, with which password or API key, in which groups and companies.

A user is a partner (``_inherits``: name, email, lang, tz live on ``res.partner``).
Passwords and API keys are only ever stored hashed (``core.security.hash_password``);
the clear text is never stored, logged or returned, except an API key once, by
``_generate``.  Access checks themselves live in ``core/security.py``.
"""
import binascii
import hashlib
import hmac
import logging
import os

import sqlalchemy as sa

from core import api, fields, login_throttle, models, security
from core.api import SUPERUSER_ID
from core.exceptions import AccessDenied, AccessError, UserError, ValidationError
from core.fields import Command

_logger = logging.getLogger(__name__)

#: fields a user may change on their own record without the right to write users
SELF_WRITEABLE_FIELDS = {"signature", "email", "name", "lang", "tz", "company_id"}
#: writing these changes what the user may access
SECURITY_FIELDS = {"groups_id", "company_id", "company_ids", "active", "partner_id"}
USER_TYPES = ("base.group_user", "base.group_portal", "base.group_public")

# (database, uid) -> (stored hash, HMAC of the password) of the last successful check:
# an RPC call carries the password each time, and PBKDF2 is slow on purpose.  The HMAC
# key lives in this process only, so the memo holds nothing a password can be read from.
_CHECKED = {}
_CHECK_KEY = os.urandom(32)


def _password_mac(password):
    return hmac.new(_CHECK_KEY, password.encode("utf-8"), hashlib.sha256).digest()


class Users(models.Model):
    _name = "res.users"
    _description = "User"
    _inherits = {"res.partner": "partner_id"}
    _order = "name, login"
    _rec_name = "login"
    _rec_names_search = ["name", "login"]

    partner_id = fields.Many2one("res.partner", string="Related Partner", required=True,
                                 ondelete="restrict", index=True)
    login = fields.Char(required=True, help="Used to log into the system")
    password = fields.Char(copy=False, prefetch=False, groups="base.group_system",
                           help="Stored hashed; write the clear password to change it")
    active = fields.Boolean(default=True)
    groups_id = fields.Many2many("res.groups", "res_groups_users_rel", "uid", "gid", string="Groups",
                                 default=lambda self: self._default_groups())
    company_id = fields.Many2one("res.company", string="Company", required=True,
                                 default=lambda self: self._default_company(),
                                 help="The company this user works in by default")
    company_ids = fields.Many2many("res.company", "res_company_users_rel", "user_id", "cid",
                                   string="Companies", help="The companies this user may work in")
    share = fields.Boolean(string="Share User", compute="_compute_share", store=True,
                           help="External user (portal or public): not in Internal User")
    signature = fields.Html()
    api_key_ids = fields.One2many("res.users.apikeys", "user_id", string="API Keys")

    _sql_constraints = [("login_key", "unique(login)", "You can not have two users with the same login!")]

    # ------------------------------------------------------------ defaults and computes
    def _default_company(self):
        company = self.env["res.company"].browse()
        if self.env["res.users"].sudo().browse(self.env.uid).exists():
            company = self.env.company
        return company.id or self.env["res.company"].sudo().search([], limit=1).id

    def _default_groups(self):
        group = security.group_id(self.env, "base.group_user")
        return [Command.set([group])] if group else []

    @api.depends("groups_id")
    def _compute_share(self):
        internal = security.group_id(self.env, "base.group_user")
        for user in self:
            user.share = not (internal and internal in security.implied_closure(self.env, user.groups_id.ids))

    def _compute_display_name(self):
        for user in self:
            user.display_name = user.name or user.login

    @api.constrains("company_id", "company_ids")
    def _check_company(self):
        for user in self:
            if user.company_id and user.company_id not in user.company_ids:
                raise ValidationError(
                    f"User {user.login!r}: the default company {user.company_id.name!r} must be one of "
                    f"the user's allowed companies")

    @api.constrains("groups_id")
    def _check_one_user_type(self):
        types = {xmlid: security.group_id(self.env, xmlid) for xmlid in USER_TYPES}
        for user in self:
            groups = security.implied_closure(self.env, user.groups_id.ids)
            mine = [xmlid for xmlid, gid in types.items() if gid and gid in groups]
            if len(mine) > 1:
                raise ValidationError(
                    f"User {user.login!r} cannot be of several user types at once "
                    f"({', '.join(mine)}): internal, portal and public are exclusive.")

    # ------------------------------------------------------------ create / write / unlink
    def _prepare_vals(self, vals):
        vals = dict(vals)
        if "password" in vals:
            vals["password"] = security.hash_password(vals["password"]) if vals["password"] else False
        if "company_ids" not in vals:
            company = vals.get("company_id") or self._default_company()
            if company:
                vals.setdefault("company_id", company)
                vals["company_ids"] = [Command.set([company])]
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create([self._prepare_vals(vals) for vals in vals_list])
        users._memberships_changed()
        users._link_implied_groups()
        return users

    def write(self, vals):
        if "password" in vals:
            clear = vals["password"]
            vals = dict(vals, password=security.hash_password(clear) if clear else False)
        if vals.get("active") is False and not self.env.su and self.env.uid in self._ids:
            raise UserError("You cannot archive the user you are logged in as.")
        target = self
        if self._ids == (self.env.uid,) and not self.env.su and set(vals) <= SELF_WRITEABLE_FIELDS:
            if "company_id" in vals and vals["company_id"] not in self.sudo().company_ids.ids:
                raise AccessError(f"User {self.sudo().login!r} (id {self.id}) may not switch to a company "
                                  f"outside their allowed companies.")
            target = self.sudo()   # a user may change their own preferences
        result = super(Users, target).write(vals)
        if set(vals) & SECURITY_FIELDS:
            self._memberships_changed()
        if "groups_id" in vals:
            self._link_implied_groups()
        if "password" in vals or vals.get("active") is False:
            self._forget_checks()
        return result

    @api.ondelete(at_uninstall=True)
    def _unlink_except_superuser(self):
        if SUPERUSER_ID in self._ids:
            raise UserError("The superuser (base.user_root) is used internally and cannot be deleted; "
                            "it is inactive, so nobody can log in as it.")
        if not self.env.su and self.env.uid in self._ids:
            raise UserError("You cannot delete the user you are logged in as.")

    def unlink(self):
        self._forget_checks()
        result = super().unlink()
        self._memberships_changed()
        return result

    def _memberships_changed(self):
        """Forget what was read about memberships: the ORM caches each side of
        res_groups_users_rel apart, and the security memo has its own."""
        self.env["res.groups"].invalidate_model(["users"])
        security.invalidate(self.env)

    def copy(self, default=None):
        self.ensure_one()
        default = dict(default or {})
        default.setdefault("login", f"{self.login} (copy)")
        if "name" not in default and self.name:
            default["name"] = f"{self.name} (copy)"
        default.setdefault("company_id", self.company_id.id)
        default.setdefault("company_ids", [Command.set(self.company_ids.ids)])
        default.setdefault("groups_id", [Command.set(self.groups_id.ids)])
        return super().copy(default)

    def _link_implied_groups(self):
        """Add to each user the groups implied by theirs, as stored rows (as Odoo does)."""
        for user in self.sudo().with_context(active_test=False):
            current = set(user.groups_id.ids)
            missing = security.implied_closure(self.env, current) - current
            if missing:
                super(Users, user).write({"groups_id": [Command.link(gid) for gid in sorted(missing)]})
                self._memberships_changed()

    # ------------------------------------------------------------ groups
    def has_group(self, group_ext_id):
        """Is the user (this one, or the env's on an empty set) in the group ``module.xmlid``?"""
        if not isinstance(group_ext_id, str) or group_ext_id.count(".") != 1 or "," in group_ext_id:
            raise ValueError(f"has_group expects one external id 'module.name', got {group_ext_id!r}")
        uid = self.ensure_one().id if self else self.env.uid
        return security.user_in_groups(self.env, group_ext_id, uid=uid)

    def _is_system(self):
        return self.has_group("base.group_system")

    def _is_superuser(self):
        return (self.id if self else self.env.uid) == SUPERUSER_ID

    def _is_admin(self):
        """The superuser, or a member of Access Rights (base.group_erp_manager)."""
        return self._is_superuser() or self.has_group("base.group_erp_manager")

    def _is_internal(self):
        return self.has_group("base.group_user")

    def _is_portal(self):
        return self.has_group("base.group_portal")

    def _is_public(self):
        return self.has_group("base.group_public")

    @api.model
    def context_get(self):
        """The context of the env's user: language, time zone, uid."""
        user = self.sudo().with_context(active_test=False).browse(self.env.uid)
        return {"lang": user.lang or "en_US", "tz": user.tz or False, "uid": user.id}

    # ------------------------------------------------------------ credentials
    @api.private      # over the external API it is common.login / authenticate, not a model call
    @api.model
    def authenticate(self, login, password, interactive=False):
        """The id of the active user ``login`` whose password or API key is ``password``.

        ``interactive`` (a person logging into the web client): the password only — an
        API key opens the external API, never a browser session, as in Odoo.
        Raises AccessDenied otherwise, with the same message (and about the same
        time) whether the login is unknown or the password wrong.  Failures are
        counted per login and client address (``core.login_throttle``): past the
        limit the login is refused, right password or not, until the delay passes.
        """
        if not login or not password or not isinstance(login, str) or not isinstance(password, str):
            raise AccessDenied()
        address = login_throttle.client_address()
        with login_throttle.guard(self.env.cr, login_throttle.login_key(login), address):
            user = self.sudo().search([("login", "=", login)], limit=1)
            if not user:
                security.spend_verify_time(password)
                _logger.info("Login failed for %r from %s: no active user with that login", login, address)
                raise AccessDenied()
            try:
                if user._credential_kind(password) != "password" and interactive:
                    raise AccessDenied()
            except AccessDenied:
                _logger.info("Login failed for %r (id %s) from %s: wrong password", login, user.id, address)
                raise
        _logger.info("Login successful for %r (id %s) from %s", login, user.id, address)
        return user.id

    def _check_credentials(self, password, scope="rpc"):
        """Accept ``password`` if it is this user's password or one of their API keys
        (of ``scope``, or without scope); raise AccessDenied otherwise."""
        self._credential_kind(password, scope)

    def _credential_kind(self, password, scope="rpc"):
        """'password' or 'apikey': what ``password`` matched; AccessDenied if nothing."""
        user = (self or self.browse(self.env.uid)).ensure_one().sudo()
        if not password or not isinstance(password, str):
            raise AccessDenied()
        hashed = user.password
        if hashed and security.verify_password(password, hashed):
            if security.needs_rehash(hashed):
                # hashed with fewer rounds than today's: store a stronger hash
                super(Users, user).write({"password": security.hash_password(password)})
            return "password"
        if self.env["res.users.apikeys"]._check_credentials(scope=scope, key=password) == user.id:
            return "apikey"
        raise AccessDenied()

    @api.model
    def _check_uid_password(self, uid, password):
        """For the RPC layer: raise AccessDenied unless ``uid`` is an active user and
        ``password`` their password or API key.  A successful password check is
        remembered (as an HMAC, with the stored hash) so the next call is fast.

        Wrong passwords count against the user's login (an unknown uid: ``#<uid>``)
        from the client's address, as in :meth:`authenticate`: guessing through the
        object service is throttled as guessing through the login is.
        """
        if not isinstance(uid, int) or isinstance(uid, bool) or not password or not isinstance(password, str):
            raise AccessDenied()
        # every call of the external API passes here: one query for what the check needs
        table = self.env.registry.tables[self._name]
        row = self.env.cr.execute(sa.select(table.c.login, table.c.password)
                                  .where(table.c.id == uid, table.c.active.is_(True))).first()
        key = login_throttle.login_key(row.login) if row else login_throttle.uid_key(uid)
        with login_throttle.guard(self.env.cr, key):
            if not row:
                raise AccessDenied()
            user = self.sudo().browse(uid)
            memo_key = (self.env.registry.db_uri, uid)
            hashed = row.password
            memo = _CHECKED.get(memo_key)
            if memo and hashed and memo[0] == hashed and hmac.compare_digest(memo[1], _password_mac(password)):
                return
            try:
                kind = user._credential_kind(password)
            except AccessDenied:
                _logger.info("RPC call refused for user id %s from %s: wrong password",
                             uid, login_throttle.client_address())
                raise
            if kind == "password":
                _CHECKED[memo_key] = (user.password, _password_mac(password))

    def _session_token(self):
        """A token of this user's credentials for web sessions: a session keeps the token
        of its login, and a password change (a new hash) makes every other session stale."""
        self.ensure_one()
        user = self.sudo()
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        material = f"{user.id}:{user.login}:{user.password or ''}:{user.active}"
        return hmac.new(secret.encode(), material.encode(), hashlib.sha256).hexdigest()

    def _forget_checks(self):
        for uid in self._ids:
            _CHECKED.pop((self.env.registry.db_uri, uid), None)

    def change_password(self, old_password, new_password):
        """The env's user changes their own password, proving they know the old one."""
        if not new_password:
            raise UserError("Setting an empty password is not allowed.")
        user = self.sudo().browse(self.env.uid)
        user._check_credentials(old_password, scope=None)
        user.write({"password": new_password})
        return True


class APIKeys(models.Model):
    """API keys: a user's secret that replaces the password for RPC clients.

    Only the hash of a key is stored, with its first characters (``index``) in clear
    to find the candidates without hashing against every key.
    """

    _name = "res.users.apikeys"
    _description = "User API Key"
    _order = "id desc"

    INDEX_SIZE = 8
    KEY_BYTES = 20

    name = fields.Char(string="Description", required=True)
    user_id = fields.Many2one("res.users", index=True, required=True, ondelete="cascade")
    scope = fields.Char(help="What the key may be used for ('rpc'); empty: anything")
    index = fields.Char(size=INDEX_SIZE, index=True, readonly=True)
    key = fields.Char(required=True, groups="base.group_system", prefetch=False, readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        prepared = []
        for vals in vals_list:
            clear = vals.get("key")
            if not clear or not isinstance(clear, str) or len(clear) < 2 * self.INDEX_SIZE:
                raise UserError("An API key is made by res.users.apikeys._generate(scope, name).")
            prepared.append(dict(vals, index=clear[:self.INDEX_SIZE],
                                 key=security.hash_password(clear, rounds=security.KEY_ROUNDS)))
        return super().create(prepared)

    def write(self, vals):
        if "key" in vals or "index" in vals:
            raise UserError("The secret of an API key cannot be changed: delete it and generate a new one.")
        return super().write(vals)

    @api.model
    def _generate(self, scope, name):
        """A new API key of the env's user; the clear key is returned this once only."""
        if not name:
            raise UserError("Give the API key a name that says where it is used.")
        key = binascii.hexlify(os.urandom(self.KEY_BYTES)).decode()
        self.sudo().create({"name": name, "scope": scope or False, "user_id": self.env.uid, "key": key})
        _logger.info("API key %r generated for user id %s", name, self.env.uid)
        return key

    @api.model
    def _check_credentials(self, *, scope, key):
        """The id of the (active) user whose API key ``key`` is, for ``scope``; False if none."""
        if not key or not isinstance(key, str) or len(key) < 2 * self.INDEX_SIZE:
            return False
        domain = [("index", "=", key[:self.INDEX_SIZE]), ("user_id.active", "=", True)]
        if scope:
            domain += ["|", ("scope", "=", False), ("scope", "=", scope)]
        mac = _password_mac(key)
        for row in self.sudo().search_read(domain, ["user_id", "key"], load=None):
            # a key verified before (same stored hash) is not hashed again: JSON-2 checks
            # the key of every call, and the hash is deliberately slow
            memo_key = (self.env.registry.db_uri, "apikey", row["id"])
            memo = _CHECKED.get(memo_key)
            if memo and memo[0] == row["key"] and hmac.compare_digest(memo[1], mac):
                return row["user_id"]
            if security.verify_password(key, row["key"]):
                _CHECKED[memo_key] = (row["key"], mac)
                return row["user_id"]
        return False

    def _remove(self):
        """Revoke these keys (own keys, or any for administrators)."""
        self.unlink()
        return True
