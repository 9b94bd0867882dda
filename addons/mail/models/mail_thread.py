"""The mail.thread mixin: a record with a chatter.

A model that inherits ``mail.thread`` gets:

- its messages (``message_ids``), followers (``message_follower_ids``,
  ``message_partner_ids``) and attachment count, as computed fields searched
  through ``mail.message`` / ``mail.followers`` (they point to the record with
  ``model`` / ``res_id``, so no column on the record's table is needed);
- on create, a "created" note and its creator as follower;
- on write, *tracking*: fields declared ``tracking=True`` that change are logged as
  old → new values (``mail.tracking.value``) on one notification message per record
  and write;
- :meth:`message_post`, the one way to add a message, which also tells the followers
  by email (one queued ``mail.mail`` per recipient, see :meth:`_notify_by_email`);
- :meth:`message_subscribe` / :meth:`message_unsubscribe`;
- :meth:`message_new` / :meth:`message_update`, which the incoming mail gateway
  calls to create or update a record from an email (models override them);
- on unlink, its messages, followers and attachments go with it.

Batches: create, write and unlink of N records cost a fixed number of statements
for the chatter (one INSERT of N messages, of N followers…), never N.

Context keys: ``tracking_disable`` (no messages, no tracking, no subscription: imports,
benchmarks), ``mail_create_nolog`` (no "created" message), ``mail_create_nosubscribe``
(the creator does not follow), ``mail_notrack`` (no tracking on write),
``mail_notify_force_send`` (send the notification emails at once instead of queueing).
"""
import html
import logging
import re

from core import Command, _, api, fields, models

from .. import tools
from .mail_message import MESSAGE_TYPES
from .mail_tracking_value import TRACKED_TYPES

_logger = logging.getLogger(__name__)

#: msg_dict keys of the gateway that are not message values (message_post ignores them)
GATEWAY_KEYS = frozenset({"to", "cc", "from_address", "in_reply_to", "references", "is_bounce",
                          "is_auto", "recipients", "bounced_email", "bounced_partner"})


def _ids_of(value, what):
    """Ids from a list of ids, a recordset or None; ValueError naming ``what`` otherwise."""
    if not value:
        return []
    if hasattr(value, "_ids"):
        return list(value._ids)
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    try:
        ids = [int(v) for v in value]
    except (TypeError, ValueError):
        raise ValueError(f"{what}: expected ids or records, got {value!r}") from None
    return ids


#: an image of a mail that refers to one of its parts
_CID_SRC = re.compile(r'src="cid:([^"]+)"')

class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _description = "Email Thread"
    #: what a user needs on a record to post on it (Odoo's default: write)
    _mail_post_access = "write"

    message_ids = fields.One2many("mail.message", string="Messages", compute="_compute_message_ids",
                                  search="_search_message_ids")
    message_follower_ids = fields.One2many("mail.followers", string="Followers",
                                           compute="_compute_message_follower_ids",
                                           search="_search_message_follower_ids")
    message_partner_ids = fields.Many2many("res.partner", string="Followers (Partners)",
                                           compute="_compute_message_follower_ids",
                                           search="_search_message_partner_ids")
    message_is_follower = fields.Boolean(string="Is Follower", compute="_compute_message_is_follower",
                                         search="_search_message_is_follower")
    message_attachment_count = fields.Integer(string="Attachment Count",
                                              compute="_compute_message_attachment_count")
    has_message = fields.Boolean(compute="_compute_has_message", search="_search_has_message")

    # ================================================================ computed fields
    def _real_ids(self):
        return [i for i in self._ids if isinstance(i, int)]

    @api.depends_context("uid", "su")    # what the user may read: one value per user
    def _compute_message_ids(self):
        by_record = {rid: [] for rid in self._ids}
        ids = self._real_ids()
        if ids:
            Message = self.env["mail.message"]
            Message.check_access_rights("read")
            for message_id, res_id in Message._search_rows(
                    [("model", "=", self._name), ("res_id", "in", ids)], ["res_id"], order="id desc"):
                by_record[res_id].append(message_id)
        for record in self:
            record.message_ids = by_record.get(record.id, [])

    def _search_message_ids(self, operator, value):
        return [("id", "in", self._document_ids_where("mail.message", "model", [("id", operator, value)]))]

    @api.depends_context("uid", "su")    # what the user may read: one value per user
    def _compute_message_follower_ids(self):
        followers, partners = {rid: [] for rid in self._ids}, {rid: [] for rid in self._ids}
        ids = self._real_ids()
        if ids:
            Followers = self.env["mail.followers"]
            Followers.check_access_rights("read")
            for follower_id, res_id, partner_id in Followers._search_rows(
                    [("res_model", "=", self._name), ("res_id", "in", ids)], ["res_id", "partner_id"],
                    order="id"):
                followers[res_id].append(follower_id)
                partners[res_id].append(partner_id)
        for record in self:
            record.message_follower_ids = followers.get(record.id, [])
            record.message_partner_ids = partners.get(record.id, [])

    def _search_message_follower_ids(self, operator, value):
        return [("id", "in", self._document_ids_where("mail.followers", "res_model",
                                                      [("id", operator, value)]))]

    def _search_message_partner_ids(self, operator, value):
        return [("id", "in", self._document_ids_where("mail.followers", "res_model",
                                                      [("partner_id", operator, value)]))]

    @api.depends_context("uid", "su")    # what the user may read: one value per user
    def _compute_message_is_follower(self):
        partner_id = self.env.user.partner_id.id
        ids = self._real_ids()
        following = set()
        if ids:
            following = set(self.env["mail.followers"].sudo()._search_rows(
                [("res_model", "=", self._name), ("res_id", "in", ids), ("partner_id", "=", partner_id)],
                ["res_id"]))
            following = {res_id for _id, res_id in following}
        for record in self:
            record.message_is_follower = record.id in following

    def _search_message_is_follower(self, operator, value):
        following = self._document_ids_where("mail.followers", "res_model",
                                             [("partner_id", "=", self.env.user.partner_id.id)])
        positive = (operator == "=") == bool(value)
        if operator not in ("=", "!="):
            raise ValueError(f"Unsupported operator {operator!r} on {self._name}.message_is_follower")
        return [("id", "in" if positive else "not in", following)]

    def _compute_message_attachment_count(self):
        counts = {}
        ids = self._real_ids()
        if ids:
            # the attachments of records the user is reading are his to count
            for _id, res_id in self.env["ir.attachment"].sudo()._search_rows(
                    [("res_model", "=", self._name), ("res_id", "in", ids), ("res_field", "=", False)],
                    ["res_id"]):
                counts[res_id] = counts.get(res_id, 0) + 1
        for record in self:
            record.message_attachment_count = counts.get(record.id, 0)

    @api.depends_context("uid", "su")    # what the user may read: one value per user
    def _compute_has_message(self):
        ids = self._real_ids()
        having = set()
        if ids:
            self.env["mail.message"].check_access_rights("read")
            having = {res_id for _id, res_id in self.env["mail.message"]._search_rows(
                [("model", "=", self._name), ("res_id", "in", ids)], ["res_id"])}
        for record in self:
            record.has_message = record.id in having

    def _search_has_message(self, operator, value):
        having = self._document_ids_where("mail.message", "model", [])
        positive = (operator == "=") == bool(value)
        if operator not in ("=", "!="):
            raise ValueError(f"Unsupported operator {operator!r} on {self._name}.has_message")
        return [("id", "in" if positive else "not in", having)]

    def _document_ids_where(self, model_name, model_field, domain):
        """Ids of records of this model named by the ``model_name`` rows matching ``domain``."""
        model = self.env[model_name]
        model.check_access_rights("read")
        rows = model._search_rows([(model_field, "=", self._name)] + list(domain), ["res_id"])
        return sorted({res_id for _id, res_id in rows if res_id})

    # ================================================================ create / write / unlink
    def _mail_disabled(self):
        return bool(self.env.context.get("tracking_disable"))

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if self._mail_disabled() or not records:
            return records
        context = self.env.context
        if not context.get("mail_create_nosubscribe"):
            partner = self.env.user.partner_id
            if partner:
                records._subscribe_partners(partner.ids, None, check_existing=False)
        if not context.get("mail_create_nolog"):
            body = html.escape(_("%s created", self._description or self._name))
            records._message_log_batch({record.id: f"<p>{body}</p>" for record in records})
        return records

    def write(self, vals):
        if not self._ids or self._mail_disabled() or self.env.context.get("mail_notrack"):
            return super().write(vals)
        tracked = self._tracked_fields(vals)
        if not tracked:
            return super().write(vals)
        before = self._tracking_snapshot(tracked)
        result = super().write(vals)
        self._tracking_log(tracked, before)
        return result

    def unlink(self):
        if not self._ids:
            return True
        ids = self._real_ids()
        result = super().unlink()
        # the user could delete the records: their chatter goes with them (sudo, since the
        # messages and followers of a deleted document are nobody's to check anymore)
        domain_model = [("model", "=", self._name), ("res_id", "in", ids)]
        self.env["mail.message"].sudo().search(domain_model).unlink()
        self.env["mail.followers"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", ids)]).unlink()
        self.env["ir.attachment"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", ids)]).unlink()
        return result

    # ================================================================ tracking
    def _tracked_fields(self, vals):
        """The fields among ``vals`` declared with ``tracking`` (in declaration order)."""
        fields_ = self._fields
        tracked = [fields_[name] for name in vals if name in fields_ and fields_[name].tracking]
        for field in tracked:
            if field.type not in TRACKED_TYPES:
                raise ValueError(f"Field {self._name}.{field.name} of type {field.type} cannot be "
                                 f"tracked (tracked types: {', '.join(TRACKED_TYPES)})")
        return sorted(tracked, key=lambda f: (f.tracking if isinstance(f.tracking, int)
                                              and not isinstance(f.tracking, bool) else 100, f._sequence))

    def _tracking_snapshot(self, tracked):
        """``{record id: {field name: plain value}}`` of ``tracked`` fields, read in one pass
        over the records (sudo: the values logged are those of the record being written,
        whatever the user may read of the records they point to)."""
        records = self.sudo()
        snapshot = {rid: {} for rid in records._ids}
        for field in tracked:
            name = field.name
            if field.type == "many2one":
                values = [record[name] for record in records]
                names = {}
                for value in values:
                    if value and value.id not in names:
                        # reading one display name computes those of the whole prefetch set
                        names[value.id] = value.display_name or ""
                for rid, value in zip(records._ids, values):
                    snapshot[rid][name] = (value.id, names[value.id]) if value else False
            elif field.type == "selection":
                labels = dict(field._selection_pairs(self.env))
                for record in records:
                    value = record[name]
                    snapshot[record.id][name] = labels.get(value, value) if value else False
            elif field.type in ("one2many", "many2many"):
                for record in records:
                    snapshot[record.id][name] = ", ".join(
                        str(n) for n in record[name].mapped("display_name")) or False
            else:
                for record in records:
                    snapshot[record.id][name] = record[name]
        return snapshot

    def _tracking_log(self, tracked, before):
        """Log what changed since ``before``: one message per changed record, with its
        tracking values, all created in two INSERTs."""
        after = self._tracking_snapshot(tracked)
        changes = {}
        for rid, old_values in before.items():
            new_values = after.get(rid)
            if new_values is None:
                continue
            changed = [(field, old_values[field.name], new_values[field.name]) for field in tracked
                       if not _same(field, old_values[field.name], new_values[field.name])]
            if changed:
                changes[rid] = changed
        if not changes:
            return
        records = self.browse(list(changes))
        subtypes = {}
        for record in records:
            subtype = record._track_subtype({field.name: old for field, old, _new in changes[record.id]})
            subtypes[record.id] = subtype
        messages = records._message_log_batch(
            {rid: "" for rid in changes}, subtype_by_record=subtypes)
        Tracking = self.env["mail.tracking.value"]
        Tracking.sudo().create([
            dict(Tracking._column_values(field, old, new), mail_message_id=message.id)
            for message, rid in zip(messages, changes) for field, old, new in changes[rid]])
        # a change with a subtype of its own (a stage change…) tells the followers of it
        notify = messages.sudo().filtered(lambda m: not m.is_internal)
        if notify:
            self._notify_messages(notify)

    def _track_subtype(self, init_values):
        """The subtype (an xml id or a record) of the message logging the change of the
        fields ``init_values`` (their old values) on this record; False: a plain note.
        Models override it: a stage change is a subtype followers may subscribe to."""
        return False

    # ================================================================ posting
    def _message_log_batch(self, bodies, subtype_by_record=None, message_type="notification"):
        """Create one logged message per record (``bodies``: ``{id: html}``) in one INSERT,
        authored by the current user; nobody is notified.  Returns the messages in the
        order of ``bodies``."""
        Subtype = self.env["mail.message.subtype"]
        note = Subtype._id_of("mail.mt_note")
        author = self.env.user.partner_id
        email_from = author.email_formatted or False
        names = {record.id: record.display_name for record in self.sudo()}
        vals_list = []
        for rid, body in bodies.items():
            subtype = (subtype_by_record or {}).get(rid)
            subtype_id = self._subtype_id(subtype) if subtype else note
            vals_list.append({
                "model": self._name, "res_id": rid, "record_name": names.get(rid) or False,
                "body": body, "message_type": message_type, "subtype_id": subtype_id,
                "author_id": author.id or False, "email_from": email_from,
            })
        messages = self.env["mail.message"].sudo().create(vals_list)
        self.invalidate_recordset(["message_ids", "has_message"])
        return messages.with_env(self.env)

    def _subtype_id(self, subtype):
        if isinstance(subtype, str):
            return self.env["mail.message.subtype"]._id_of(subtype)
        return subtype.id if hasattr(subtype, "_ids") else int(subtype)

    def message_post(self, body="", subject=None, message_type="notification", subtype_xmlid=None,
                     partner_ids=None, attachment_ids=None, attachments=None, author_id=None,
                     email_from=None, parent_id=None, message_id=None, **kw):
        """Post a message on this record and tell whom it concerns; returns the message.

        ``subtype_xmlid``: ``mail.mt_comment`` (a discussion: the followers subscribed to
        it are mailed, the author never), ``mail.mt_note`` (the default: an internal note,
        only ``partner_ids`` are mailed).  ``attachments``: ``(name, bytes)`` or ``(name,
        bytes, {"mimetype", "cid"})`` become attachments of the record and the message;
        ``attachment_ids`` are existing attachments to join.  ``author_id`` defaults to the
        user's partner (False: no author, an unknown sender); ``email_from`` to the
        author's address.  Other keywords are message values (``date``, ``reply_to``…);
        the gateway's own keys of a ``msg_dict`` are ignored.
        """
        self.ensure_one()
        if message_type not in dict(MESSAGE_TYPES):
            raise ValueError(f"message_post on {self._name}({self.id}): unknown message_type "
                             f"{message_type!r} (expected one of {', '.join(dict(MESSAGE_TYPES))})")
        self._check_access(self._mail_post_access)
        Message = self.env["mail.message"]
        extra = {}
        for key, value in kw.items():
            if key in GATEWAY_KEYS:
                continue
            if key not in Message._fields or key in ("id", "model", "res_id"):
                raise ValueError(f"message_post on {self._name}({self.id}): unknown argument {key!r}")
            extra[key] = value
        subtype_id = extra.pop("subtype_id", None)
        subtype_id = self._subtype_id(subtype_id) if subtype_id \
            else self._subtype_id(subtype_xmlid or "mail.mt_note")
        if author_id is None:
            author = self.env.user.partner_id
        else:
            author = self.env["res.partner"].browse(_ids_of(author_id, "author_id")[:1])
        if email_from is None:
            email_from = author.sudo().email_formatted or False
        parent = Message.browse(_ids_of(parent_id, "parent_id")[:1])
        recipients = _ids_of(partner_ids, "partner_ids")
        vals = {
            "model": self._name, "res_id": self.id, "record_name": self.sudo().display_name or False,
            "body": body or "", "subject": subject or False, "message_type": message_type,
            "subtype_id": subtype_id, "author_id": author.id or False, "email_from": email_from,
            "parent_id": parent.id or False, "partner_ids": [Command.set(recipients)],
            "reply_to": self._notify_reply_to(author),
        }
        if message_id:
            vals["message_id"] = message_id
        vals.update(extra)
        # the user may post here (checked above): the message itself is written as superuser,
        # its own access rules asking the same of the document again would only cost queries
        message = Message.sudo().create(vals)
        attachment_list = self._message_attachments(attachments, _ids_of(attachment_ids, "attachment_ids"))
        if attachment_list:
            values = {"attachment_ids": [Command.set(attachment_list.ids)]}
            body_html = _inline_images(message.body, attachment_list)
            if body_html != message.body:
                values["body"] = body_html
            message.write(values)
        if author and message_type in ("comment", "email") and not message.is_internal:
            self._subscribe_partners(author.ids, None)
        self.invalidate_recordset(["message_ids", "has_message", "message_attachment_count"])
        message = message.with_env(self.env)
        self._notify_messages(message)
        return message

    def _message_attachments(self, attachments, attachment_ids):
        """ir.attachment records on this record for ``attachments`` (created) and
        ``attachment_ids`` (existing ones: those attached to nothing yet are moved here)."""
        Attachment = self.env["ir.attachment"]
        result = Attachment.browse()
        if attachments:
            vals_list = []
            for item in attachments:
                if not isinstance(item, (list, tuple)) or len(item) not in (2, 3):
                    raise ValueError(f"message_post on {self._name}({self.id}): an attachment is "
                                     f"(name, content) or (name, content, info), got {item!r}")
                name, content = item[0], item[1]
                info = item[2] if len(item) == 3 else {}
                if isinstance(content, str):
                    content = content.encode()
                vals = {"name": name or "attachment", "raw": content or b"",
                        "res_model": self._name, "res_id": self.id}
                if info.get("mimetype"):
                    vals["mimetype"] = info["mimetype"]
                if info.get("cid"):
                    vals["description"] = f"cid:{info['cid']}"
                vals_list.append(vals)
            # the user may post on the record: the files are the record's
            result |= Attachment.sudo().create(vals_list)
        if attachment_ids:
            existing = Attachment.browse(attachment_ids)
            existing.check_access_rule("read")
            loose = existing.sudo().filtered(lambda a: not a.res_model or a.res_model == "mail.compose.message")
            if loose:
                loose.write({"res_model": self._name, "res_id": self.id})
            result |= Attachment.sudo().browse(existing.ids)
        return result

    # ================================================================ followers
    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Make ``partner_ids`` follow these records: new followers get ``subtype_ids`` or
        the default subtypes; existing ones get ``subtype_ids`` when given.

        Subscribing oneself needs read access to the records; anybody else, write access.
        """
        partner_ids = list(dict.fromkeys(_ids_of(partner_ids, "partner_ids")))
        if not partner_ids or not self._ids:
            return True
        own = self.env.user.partner_id.id
        self._check_access("read" if partner_ids == [own] else "write")
        subtype_ids = _ids_of(subtype_ids, "subtype_ids") if subtype_ids is not None else None
        self._subscribe_partners(partner_ids, subtype_ids)
        return True

    def message_unsubscribe(self, partner_ids=None):
        """Stop ``partner_ids`` following these records (read access for oneself, write
        access for others)."""
        partner_ids = list(dict.fromkeys(_ids_of(partner_ids, "partner_ids")))
        if not partner_ids or not self._ids:
            return True
        own = self.env.user.partner_id.id
        self._check_access("read" if partner_ids == [own] else "write")
        self.env["mail.followers"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self._real_ids()),
            ("partner_id", "in", partner_ids)]).unlink()
        self.invalidate_recordset(["message_follower_ids", "message_partner_ids", "message_is_follower"])
        return True

    def _subscribe_partners(self, partner_ids, subtype_ids, check_existing=True):
        """Create the missing followers (and reset the subtypes of existing ones when
        ``subtype_ids`` is given), without access checks: the callers did them."""
        Followers = self.env["mail.followers"].sudo()
        existing = {}
        if check_existing:
            for follower in Followers.search([("res_model", "=", self._name),
                                              ("res_id", "in", self._real_ids()),
                                              ("partner_id", "in", partner_ids)]):
                existing[(follower.res_id, follower.partner_id.id)] = follower
        if subtype_ids is not None and existing:
            Followers.browse([f.id for f in existing.values()]).write(
                {"subtype_ids": [Command.set(subtype_ids)]})
        if subtype_ids is None:
            defaults = self._default_subtypes_for(partner_ids)
        rows = []
        for rid in self._real_ids():
            for partner_id in partner_ids:
                if (rid, partner_id) not in existing:
                    rows.append((self._name, rid, partner_id,
                                 subtype_ids if subtype_ids is not None else defaults[partner_id]))
        Followers._insert_followers(rows)
        self.invalidate_recordset(["message_follower_ids", "message_partner_ids", "message_is_follower"])

    def _default_subtypes_for(self, partner_ids):
        """``{partner id: default subtype ids}``: employees get the internal ones too."""
        Subtype = self.env["mail.message.subtype"]
        employees = set(self.env["res.users"].sudo()._search_rows(
            [("partner_id", "in", partner_ids), ("share", "=", False)], ["partner_id"]))
        employees = {partner_id for _id, partner_id in employees}
        internal = Subtype._default_for(self._name, internal=True)
        external = Subtype._default_for(self._name, internal=False)
        return {pid: internal if pid in employees else external for pid in partner_ids}

    # ================================================================ notification
    def _notify_messages(self, messages):
        """Tell the recipients of ``messages`` (messages of records of this model) by email.

        Recipients: the message's ``partner_ids``, plus — unless the message is internal
        — the followers of its record subscribed to its subtype; never its author.  Only
        partners with an email address get one.  One query for the followers of all
        the records, one INSERT of the ``mail.mail`` rows.
        """
        if not messages or "mail.mail" not in self.env:
            return self.env["mail.mail"].browse() if "mail.mail" in self.env else None
        messages = messages.sudo()
        public = messages.filtered(lambda m: not m.is_internal)
        followers = {}
        if public:
            Followers = self.env["mail.followers"].sudo()
            for follower in Followers.search([("res_model", "=", self._name),
                                              ("res_id", "in", sorted(set(public.mapped("res_id"))))]):
                followers.setdefault(follower.res_id, []).append(
                    (follower.partner_id.id, set(follower.subtype_ids.ids)))
        plans = []
        for message in messages:
            recipients = list(message.partner_ids.ids)
            if not message.is_internal:
                for partner_id, subtypes in followers.get(message.res_id, ()):
                    if message.subtype_id.id in subtypes:
                        recipients.append(partner_id)
            author = message.author_id.id
            recipients = [pid for pid in dict.fromkeys(recipients) if pid != author]
            if recipients:
                plans.append((message, recipients))
        if not plans:
            return self.env["mail.mail"].browse()
        return self._notify_by_email(plans)

    def _notify_by_email(self, plans):
        """Queue one ``mail.mail`` per (message, recipient partner with an email)."""
        Partner = self.env["res.partner"].sudo()
        partners = Partner.browse(sorted({pid for _m, pids in plans for pid in pids}))
        addresses = {partner.id: partner.email_formatted for partner in partners if partner.email}
        records = {record.id: record for record in self.browse(sorted({m.res_id for m, _p in plans}))}
        vals_list = []
        for message, recipients in plans:
            record = records[message.res_id]
            reply_to = message.reply_to or record._notify_reply_to(message.author_id)
            email_from = self._notify_email_from(message)
            for pid in recipients:
                if pid not in addresses:
                    continue
                vals_list.append({
                    "mail_message_id": message.id,
                    "subject": message.subject or message.record_name or False,
                    "body_html": self._notify_body(message),
                    "email_from": email_from,
                    "email_to": addresses[pid],
                    "recipient_ids": [Command.set([pid])],
                    "reply_to": reply_to,
                    "message_id": message.message_id,
                    "references": message.parent_id.message_id or False,
                    "model": message.model,
                    "res_id": message.res_id,
                    "attachment_ids": [Command.set(message.attachment_ids.ids)],
                    "state": "outgoing",
                })
        if not vals_list:
            return self.env["mail.mail"].browse()
        # notifications are the system's mail, not the user's: the user may not create
        # mail.mail rows himself
        mails = self.env["mail.mail"].sudo().create(vals_list)
        if self.env.context.get("mail_notify_force_send"):
            mails.send(raise_exception=False)
        return mails

    def _notify_body(self, message):
        """The HTML of the email telling about ``message``: its body, and its tracked changes."""
        body = message.body or ""
        if message.tracking_value_ids:
            lines = "".join(
                f"<li>{html.escape(v['field_desc'])}: {html.escape(v['old'])} → {html.escape(v['new'])}</li>"
                for v in message.tracking_value_ids._format_values())
            body += f"<ul>{lines}</ul>"
        if not body and message.subtype_id:
            body = f"<p>{html.escape(message.subtype_id.description or message.subtype_id.name or '')}</p>"
        return body

    def _notify_email_from(self, message):
        """The From of notification emails: the author's address, else the configured
        default sender (``mail.default.from`` at the catchall domain), else False (the
        outgoing server's default applies)."""
        author = message.author_id
        if author and author.email:
            return author.email_formatted
        if message.email_from:
            return message.email_from
        params = self.env["ir.config_parameter"].sudo()
        alias, domain = tools.catchall(self.env)
        sender = params.get_param("mail.default.from")
        if sender and "@" in sender:
            return sender
        if domain:
            return f"{sender or alias}@{domain}"
        return False

    def _notify_reply_to(self, author=None):
        """Where replies about this record go: its signed reply address, else the catchall
        address, else the author's address."""
        self.ensure_one()
        address = tools.reply_address(self.env, self._name, self.id)
        if address:
            return address
        alias, domain = tools.catchall(self.env)
        if domain:
            return f"{alias}@{domain}"
        return (author.sudo().email_formatted if author else False) or False

    # ================================================================ gateway
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A new record from an incoming email (``msg_dict``, see the gateway): the
        subject as its name, the sender as ``email_from`` / ``partner_id`` when the model has
        such fields, then ``custom_values``.  Models override it to read more."""
        fields_ = self._fields
        vals = {}
        name_field = self._rec_name if self._rec_name in fields_ else ("name" if "name" in fields_ else None)
        if name_field and fields_[name_field].type in ("char", "text") and fields_[name_field].store:
            vals[name_field] = msg_dict.get("subject") or _("No Subject")
        if "email_from" in fields_ and fields_["email_from"].store:
            vals["email_from"] = msg_dict.get("email_from") or False
        partner_field = fields_.get("partner_id")
        if partner_field is not None and partner_field.type == "many2one" \
                and partner_field.comodel_name == "res.partner" and msg_dict.get("author_id"):
            vals["partner_id"] = msg_dict["author_id"]
        vals.update(custom_values or {})
        return self.create(vals)

    def message_update(self, msg_dict, update_vals=None):
        """Update the record from an incoming email that answers it: ``update_vals`` are
        written (models override it to read more of ``msg_dict``)."""
        if update_vals:
            self.write(update_vals)
        return True

    # ================================================================ recipients
    def _message_get_default_recipients(self):
        """``{record id: {"partner_ids": [...], "email_to": str|False}}``: whom a message
        about the record goes to by default (its customer, else its ``email_from``)."""
        result = {}
        for record in self:
            partner = record["partner_id"] if "partner_id" in record._fields \
                and record._fields["partner_id"].comodel_name == "res.partner" else None
            email_to = record["email_from"] if "email_from" in record._fields else False
            result[record.id] = {"partner_ids": partner.ids if partner else [],
                                 "email_to": False if partner else (email_to or False)}
        return result


def _inline_images(body, attachments):
    """``body`` with the ``cid:`` images of a mail pointing at their attachments
    (``/mail/attachment/<id>``, shown to whoever may read the record)."""
    body = str(body or "")
    if "cid:" not in body:
        return body
    by_cid = {a.description[4:]: a.id for a in attachments.sudo()
              if (a.description or "").startswith("cid:")}
    return _CID_SRC.sub(lambda m: f'src="/mail/attachment/{by_cid[m[1]]}"' if m[1] in by_cid else m[0], body)


def _same(field, old, new):
    """Is a tracked value unchanged?  (False, None, "" and 0.0 of a float compare as the
    client shows them.)"""
    if field.type in ("float", "monetary"):
        return float(old or 0.0) == float(new or 0.0)
    return (old or False) == (new or False)

