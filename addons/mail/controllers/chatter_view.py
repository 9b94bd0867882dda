"""What the chatter of one record shows, read in a bounded number of statements, and its HTML.

:class:`ChatterView` reads, as the request's user (the ORM applies access rights and
record rules), everything the chatter template ``mail/chatter.html`` shows: the
record's messages newest first (a page of :data:`PAGE_SIZE`, older ones on demand),
their authors, subtypes, attachments and tracked changes; the followers; the planned
activities; the record's attachments.  Each kind of row is read once for the whole
page (one search, one read), never per message, so that the chatter of a record with
many messages costs the same few statements as that of a record with two.

It does not change anything: the routes that act on the chatter are ``chatter.py``.
"""
import datetime
from urllib.parse import urlencode

import sqlalchemy as sa
from markupsafe import Markup

from core import _
from core.exceptions import AccessError
from core.http import request

from addons.web.formatting import Formatter
from addons.web.html_sanitize import sanitize_html

#: messages per page of the thread ("Load older messages" shows the next ones)
PAGE_SIZE = 30
#: the session key of what a chatter form left to show after its redirect (error, typed text)
FLASH_KEY = "mail_chatter_flash"


def is_thread(record):
    """Does ``record``'s model have a chatter (it inherits ``mail.thread``)?"""
    return callable(getattr(record, "message_post", None)) and "message_ids" in record._fields


def has_activities(record):
    return "mail.activity" in record.env and "activity_ids" in record._fields


def post_access(record):
    """What a user needs on ``record`` to send a message: the model's ``_mail_post_access``."""
    return getattr(record, "_mail_post_access", "write") or "write"


def chatter_url(record, suffix=""):
    return f"/mail/chatter/{record._name}/{record.id}{suffix}"


def render_chatter(env, record, page_url):
    """The chatter of ``record`` for the form page at ``page_url`` (Markup), or None when
    the model has none or the user may not see messages at all."""
    if not is_thread(record):
        return None
    record = record.with_env(env)
    try:
        view = ChatterView(env, record, page_url)
        return view.render(flash=pop_flash(record))
    except AccessError:
        return None     # e.g. a user without access to messages: the form still shows


def set_flash(record, **values):
    """Keep ``values`` (``error``, ``panel``, ``body``...) for the next rendering of
    ``record``'s chatter: a form that failed redirects back to the page and says why."""
    request.session[FLASH_KEY] = {"model": record._name, "id": record.id, **values}


def pop_flash(record):
    session = request.session
    flash = session.get(FLASH_KEY)
    if not flash:
        return {}
    del session[FLASH_KEY]
    if flash.get("model") != record._name or flash.get("id") != record.id:
        return {}
    return flash


class ChatterView:
    """The chatter of ``record`` (one record) for the user of ``env``.

    Access: the user's read access to the record is checked first, and the messages are
    searched as the user (``mail.message``'s rules: the document's access, internal
    messages hidden from portal users).  What hangs on those messages and on the record
    (authors' names, subtypes, tracked values, attachments, followers, activities) is
    then read as superuser (``self.sudo_env``): each of them is exactly as visible as
    the record the user may read (the rule of attachments, followers and activities),
    and checking it again per model would cost statements, not safety.
    """

    def __init__(self, env, record, page_url):
        record = record.with_env(env)
        record.check_access_rights("read")
        record.check_access_rule("read")
        self.env = env
        self.sudo_env = env(su=True)
        self.record = record
        self.page_url = page_url
        self.fmt = Formatter(env)

    # ------------------------------------------------------------ messages
    def messages(self, before=None, limit=PAGE_SIZE, known_attachments=None):
        """``(messages, more)``: the record's messages newest first, older than the
        message id ``before`` if given, as dicts for the template; ``more`` when older
        ones remain."""
        env = self.env
        domain = [("model", "=", self.record._name), ("res_id", "=", self.record.id)]
        if before:
            domain.append(("id", "<", before))
        found = env["mail.message"].search(domain, order="id desc", limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        if not found:
            return [], False
        rows = found.with_env(self.sudo_env).read(["date", "author_id", "email_from", "message_type", "subtype_id", "is_internal",
                           "subject", "body", "attachment_ids", "tracking_value_ids"], load=None)
        authors = self._names("res.partner", {row["author_id"] for row in rows})
        subtypes = {row["id"]: row for row in self.sudo_env["mail.message.subtype"].browse(
            sorted({row["subtype_id"] for row in rows if row["subtype_id"]})).read(["name", "internal", "description"])}
        attachments = dict(known_attachments or {})
        attachments.update(self._attachments(sorted({a for row in rows for a in row["attachment_ids"]}
                                                    - set(attachments))))
        tracking = self._tracking(sorted({t for row in rows for t in row["tracking_value_ids"]}))
        result = []
        for row in rows:
            subtype = subtypes.get(row["subtype_id"]) or {}
            changes = [tracking[t] for t in row["tracking_value_ids"] if t in tracking]
            internal = bool(row["is_internal"] or subtype.get("internal"))
            if row["message_type"] == "email":
                kind = "email"
            elif internal and row["message_type"] != "notification":
                kind = "note"
            elif row["message_type"] == "notification" or changes:
                kind = "notification"
            else:
                kind = "comment"
            body = sanitize_html(row["body"])
            result.append({
                "id": row["id"],
                "kind": kind,
                "author": authors.get(row["author_id"]) or row["email_from"] or _("Unknown sender"),
                "email_from": row["email_from"],
                "date": self.fmt.datetime(row["date"]),
                "iso_date": row["date"].isoformat() if row["date"] else "",
                "subject": row["subject"] if row["message_type"] == "email" else None,
                "body": body,
                "subtype": subtype.get("description") or subtype.get("name") if not body and not changes else None,
                "attachments": [attachments[a] for a in row["attachment_ids"] if a in attachments],
                "tracking": changes,
            })
        return result, more

    def _names(self, model, ids):
        ids = sorted(i for i in ids if i)
        if not ids:
            return {}
        return {row["id"]: row["name"] for row in self.sudo_env[model].browse(ids).read(["name"])}

    def _attachments(self, ids):
        """``{id: {id, name, mimetype, size, url}}`` of the readable attachments ``ids``."""
        if not ids:
            return {}
        rows = self.sudo_env["ir.attachment"].browse(ids).read(["name", "mimetype", "file_size"])
        return {row["id"]: _attachment(row) for row in rows}

    def _tracking(self, ids):
        """``{id: (field label, old text, new text)}`` of the tracking values ``ids``."""
        if not ids:
            return {}
        columns = ["field_name", "field_desc", "field_type", "old_value_char", "new_value_char",
                   "old_value_integer", "new_value_integer", "old_value_float", "new_value_float",
                   "old_value_datetime", "new_value_datetime"]
        rows = self.sudo_env["mail.tracking.value"].browse(ids).read(columns)
        return {row["id"]: (row["field_desc"] or row["field_name"], self._tracked(row, "old"),
                            self._tracked(row, "new")) for row in rows}

    def _tracked(self, row, side):
        """The text of the ``side`` ("old"/"new") value of a tracking row."""
        kind = row["field_type"] or "char"
        char = row[f"{side}_value_char"]
        if kind == "boolean":
            return _("Yes") if row[f"{side}_value_integer"] else _("No")
        if kind == "integer":
            return self.fmt.integer(row[f"{side}_value_integer"])
        if kind in ("float", "monetary"):
            value = row[f"{side}_value_float"]
            return char or self.fmt.number(value, 2)
        if kind in ("date", "datetime"):
            value = row[f"{side}_value_datetime"]
            if not value:
                return char or ""
            if kind == "date":
                return self.fmt.date(value.date() if isinstance(value, datetime.datetime) else value)
            return self.fmt.datetime(value)
        return char or ""

    # ------------------------------------------------------------ followers, attachments, activities
    def followers(self):
        """``[{partner_id, name, email}]`` of the record's followers, by name."""
        followers = self.sudo_env["mail.followers"]._sql_table
        partners = self.sudo_env["res.partner"]._sql_table
        query = (sa.select(partners.c.id, partners.c.name, partners.c.email)
                 .select_from(followers.join(partners, partners.c.id == followers.c.partner_id))
                 .where(followers.c.res_model == self.record._name, followers.c.res_id == self.record.id))
        rows = self.env.cr.execute(query).all()
        return sorted(({"partner_id": pid, "name": name or "", "email": email or ""} for pid, name, email in rows),
                      key=lambda f: (f["name"].lower(), f["partner_id"]))

    def record_attachments(self):
        table = self.sudo_env["ir.attachment"]._sql_table
        query = (sa.select(table.c.id, table.c.name, table.c.mimetype, table.c.file_size)
                 .where(table.c.res_model == self.record._name, table.c.res_id == self.record.id,
                        table.c.res_field.is_(None))
                 .order_by(table.c.id.desc()))
        return [_attachment(row._asdict()) for row in self.env.cr.execute(query).all()]

    def today(self):
        """Today in the user's time zone (an activity is due "today" there)."""
        return self.fmt.to_local(datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)).date()

    def activities(self):
        """The planned activities of the record, the most urgent first, as dicts."""
        if not has_activities(self.record):
            return []
        activities = self.sudo_env["mail.activity"]._sql_table
        users = self.sudo_env["res.users"]._sql_table
        partners = self.sudo_env["res.partner"]._sql_table
        query = (sa.select(activities.c.id, activities.c.activity_type_id, activities.c.summary, activities.c.note,
                           activities.c.date_deadline, partners.c.name.label("user"))
                 .select_from(activities.outerjoin(users, users.c.id == activities.c.user_id)
                              .outerjoin(partners, partners.c.id == users.c.partner_id))
                 .where(activities.c.res_model == self.record._name, activities.c.res_id == self.record.id,
                        activities.c.state == "planned")
                 .order_by(activities.c.date_deadline, activities.c.id))
        rows = [row._asdict() for row in self.env.cr.execute(query).all()]
        if not rows:
            return []
        # the types' names are translated: through the ORM (read once for the form's choices)
        types = self._names("mail.activity.type", {r["activity_type_id"] for r in rows})
        today = self.today()
        result = []
        for row in rows:
            deadline = row["date_deadline"]
            if isinstance(deadline, str):              # SQLite hands dates back as text
                deadline = datetime.date.fromisoformat(deadline[:10])
            days = (deadline - today).days if deadline else 0
            if days < 0:
                status = "overdue"
                when = _("%s days overdue", -days) if days < -1 else _("Yesterday")
            elif days == 0:
                status, when = "today", _("Today")
            else:
                status = "planned"
                when = _("Tomorrow") if days == 1 else _("Due in %s days", days)
            result.append({"id": row["id"], "type": types.get(row["activity_type_id"], ""),
                           "summary": row["summary"] or "", "note": sanitize_html(row["note"]),
                           "deadline": self.fmt.date(deadline), "when": when, "status": status,
                           "user": row["user"] or ""})
        return result

    def activity_types(self):
        """The activity types offered by the "Schedule activity" form."""
        if not has_activities(self.record):
            return []
        return self.sudo_env["mail.activity.type"].search_read([], ["name"])

    # ------------------------------------------------------------ rendering
    def values(self, flash=None):
        env = self.env
        record = self.record
        followers = self.followers()
        partner_id = env.user.partner_id.id
        attachments = self.record_attachments()
        messages, more = self.messages(known_attachments={a["id"]: a for a in attachments})
        types = self.activity_types()
        activities = self.activities()
        can_write = self._can("write")
        return {
            "record": record,
            "base_url": chatter_url(record),
            "page_url": self.page_url,
            "messages": messages,
            "more": more,
            "older_url": self.older_url(messages[-1]["id"]) if more else None,
            "followers": followers,
            "following": any(f["partner_id"] == partner_id for f in followers),
            "recipients": [f for f in followers if f["partner_id"] != partner_id],
            "attachments": attachments,
            "with_activities": has_activities(record),
            "activities": activities,
            "activity_types": types,
            "user_name": env.user.name,
            "today": self.today().isoformat(),
            "can_write": can_write,
            "can_post": can_write if post_access(record) == "write" else self._can(post_access(record)),
            "flash": flash or {},
        }

    def older_url(self, before):
        return chatter_url(self.record, "/messages?" + urlencode({"before": before, "back": self.page_url}))

    def _can(self, operation):
        try:
            self.record.check_access_rights(operation)
            self.record.check_access_rule(operation)
        except AccessError:
            return False
        return True

    def render(self, flash=None):
        return _render("mail/chatter.html", {"view": self, **self.values(flash)})

    def render_messages(self, before):
        messages, more = self.messages(before=before)
        return _render("mail/chatter_messages.html", {
            "messages": messages, "older_url": self.older_url(messages[-1]["id"]) if more else None})


def _render(template, values):
    return Markup(request.app.render_template(template, {"request": request, **values}, db=request.db))


def _attachment(row):
    return {"id": row["id"], "name": row["name"], "mimetype": row.get("mimetype") or "",
            "size": _size(row["file_size"]), "url": f"/mail/attachment/{row['id']}"}


def _size(size):
    size = size or 0
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


