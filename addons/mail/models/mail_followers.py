"""Followers: the partners told about the messages of one record, per subtype.

One row per (document, partner): the database refuses a second one.  Who follows
what is as visible as the document (see ``mail_message.document_access_clause``);
adding, changing or removing a follower needs write access to the document, except
for one's own subscription, which needs read access only.  ``mail.thread``'s
``message_subscribe`` / ``message_unsubscribe`` are the usual way in;
:meth:`_insert_followers` writes many rows in a few statements.
"""
import sqlalchemy as sa

from core import _, api, fields, models
from core.exceptions import AccessError

from .mail_message import document_access_clause, ids_to_check, refused_ids


class MailFollowers(models.Model):
    _name = "mail.followers"
    _description = "Document Followers"
    _rec_name = "partner_id"
    _sql_constraints = [
        ("mail_followers_res_partner_res_model_id_uniq", "unique(res_model, res_id, partner_id)",
         "A partner follows a document only once."),
    ]

    res_model = fields.Char(string="Related Document Model Name", required=True, index=True)
    res_id = fields.Integer(string="Related Document ID", index=True)
    partner_id = fields.Many2one("res.partner", string="Related Partner", required=True,
                                 index=True, ondelete="cascade")
    subtype_ids = fields.Many2many("mail.message.subtype", string="Subtype",
                                   help="The kinds of messages the follower is told about")
    name = fields.Char(related="partner_id.name", string="Name")
    email = fields.Char(related="partner_id.email", string="Email")

    # ------------------------------------------------------------ batch insert
    @api.model
    def _insert_followers(self, rows):
        """Create followers from ``rows``: ``(res_model, res_id, partner_id, subtype_ids)``.

        One INSERT for the followers and one for their subtypes, whatever their number
        (the ORM would link the subtypes of each new follower one by one).  The caller
        made sure none of them exists yet and checked the access to the documents.
        """
        if not rows:
            return self.browse()
        followers = self.sudo().create([
            {"res_model": model, "res_id": res_id, "partner_id": partner_id}
            for model, res_id, partner_id, _subtypes in rows])
        field = self._fields["subtype_ids"]
        links = [{field.column1: follower_id, field.column2: subtype_id}
                 for follower_id, (_m, _r, _p, subtypes) in zip(followers._ids, rows)
                 for subtype_id in dict.fromkeys(subtypes or ())]
        if links:
            self._execute(sa.insert(self.env.registry.tables[field.relation]), links)
        self.env.transaction.cache.invalidate(self.env.registry.fields_on_relation(field.relation))
        return self.browse(followers._ids)

    # ------------------------------------------------------------ access
    def _rules_expression(self, table):
        rules = super()._rules_expression(table)
        if self.env.su or self.env.registry.rule_builder is None:
            return rules
        visible = document_access_clause(self.env, table.c.res_model, table.c.res_id, "read")
        return visible if rules is None else sa.and_(rules, visible)

    def _check_access(self, operation):
        super()._check_access(operation)
        ids = ids_to_check(self)
        if not ids:
            return
        table = self._sql_table
        document = lambda mode: document_access_clause(  # noqa: E731
            self.env, table.c.res_model, table.c.res_id, mode)
        if operation == "read":
            clause = document("read")
        else:
            # one's own subscription needs read access; anybody else's, write access
            clause = sa.or_(sa.and_(table.c.partner_id == self.env.user.partner_id.id, document("read")),
                            document("write"))
        refused = refused_ids(self, ids, clause)
        if refused:
            raise AccessError(_(
                "You may not %(operation)s the followers %(ids)s: they follow documents you "
                "cannot access (user %(user)s).",
                operation=operation, ids=refused, user=self.env.user.login))
