"""The chatter's routes: post messages and notes, attach files, follow, schedule activities.

All routes work on one record of a model that inherits ``mail.thread``, as the logged-in
user: the ORM checks access rights and record rules on every call, and the routes add
what the chatter itself asks of the user (all under ``/mail/chatter/<model>/<id>``):

====================================  =====================================
``GET  …/messages?before=<id>``       read access (older messages; ``fragment=1``: the
                                      ``<li>`` items only, for the script)
``POST …/post`` (``kind=message``)    the model's ``_mail_post_access`` (write unless the
                                      model lowers it to read, as in Odoo): a message
                                      to the followers
``POST …/post`` (``kind=note``)       write access: an internal note (and files)
``POST …/attach``                     write access: files attached to the record
``POST …/follow``, ``…/unfollow``     read access: the user's own subscription
``POST …/followers/add``, ``…/<partner id>/remove``
                                      write access: someone else's subscription
``POST …/activity/schedule``          write access
``POST /mail/chatter/activity/<id>/done``, ``…/cancel``
                                      write access to the activity's record
``GET  /mail/attachment/<id>``        read access to the attachment (its record's)
====================================  =====================================

Each POST is a plain HTML form (CSRF token checked by the HTTP layer) and answers with
a redirect (303) back to the form page (``back``, a path on this site).  A request is
one transaction: a refused action (empty message, unknown partner, a rule of the model)
is undone whole inside a savepoint, and the form page then shows why, with the text the
user typed (kept in the session for that one page).  A user who may not read the
record gets a 404 / 403 page.
"""
import datetime
import mimetypes

from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import _ as translate
from core.exceptions import AccessError, UserError
from core.http import Controller, request, route, safe_redirect_target

from addons.web.controllers.home import render_page

from .chatter_view import ChatterView, has_activities, is_thread, post_access, set_flash

#: the beginnings of images a browser may show inline (never SVG: it may carry script)
INLINE_IMAGES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}
PREFIX = "/mail/chatter/<string:model>/<int:res_id>"


def _(message, *args, **kwargs):
    """``core._`` in the language of the request's user (a route has no ``self.env``:
    ``core._`` finds the language in the caller's local ``env``)."""
    env = request.env
    return translate(message, *args, **kwargs) if env is not None else message % (args or kwargs or ())


def thread_record(model, res_id):
    """The record ``res_id`` of ``model`` for the request's user; 404 when the model has no
    chatter or the record does not exist, AccessError (403) when the user may not read it."""
    env = request.env
    if not isinstance(model, str) or model not in env:
        raise NotFound(_("There is no such document."))
    record = env[model].browse(res_id)
    if not is_thread(record) or not record.exists():
        raise NotFound(_("There is no such document."))
    record.check_access_rule("read")
    return record


def back_url(record, back):
    """Where a chatter form goes back to: ``back`` if it is a path on this site, else the record."""
    return safe_redirect_target(back, default=None) or f"/web/model/{record._name}/{record.id}"


def files_of(name):
    """``[(filename, bytes, {"mimetype": …})]`` of the file inputs ``name`` (empty ones left out)."""
    result = []
    for upload in request.files.getlist(name):
        if not upload or not upload.filename:
            continue
        content = upload.read()
        mimetype = upload.mimetype if upload.mimetype and upload.mimetype != "application/octet-stream" else \
            (mimetypes.guess_type(upload.filename)[0] or "application/octet-stream")
        result.append((upload.filename, content, {"mimetype": mimetype}))
    return result


def act(record, back, panel, action, keep_open=False, **kept):
    """Run ``action()`` in a savepoint; back to the page, with the reason when it was refused
    (the ``panel`` open again with what was typed, ``kept``), or with the ``panel`` still
    open when ``keep_open`` (lists whose change the user wants to see: followers, files).

    An AccessError is not caught: the user gets the 403 page (the whole request is undone).
    """
    try:
        with record.env.cr.savepoint():
            action()
    except AccessError:
        raise
    except (UserError, ValueError) as exc:
        set_flash(record, error=str(exc), panel=panel, **kept)
    else:
        if keep_open:
            set_flash(record, panel=panel)
    return redirect(back_url(record, back), 303)


def check_access(record, operation):
    """``operation`` allowed on the record (rights and rules), else AccessError."""
    record.check_access_rights(operation)
    record.check_access_rule(operation)


def check_write(record):
    check_access(record, "write")


class Chatter(Controller):

    # ------------------------------------------------------------ reading
    @route(PREFIX + "/messages", methods=["GET"], auth="user")
    def messages(self, model, res_id, before=None, fragment=None, back=None):
        record = thread_record(model, res_id)
        try:
            before = int(before) if before not in (None, "") else None
        except ValueError:
            raise BadRequest(_("“before” must be a message number.")) from None
        back = back_url(record, back)
        view = ChatterView(record.env, record, back)
        if fragment:
            return Response(view.render_messages(before), mimetype="text/html")
        return render_page("mail/chatter_older.html", {
            "record": record, "back": back, "items": view.render_messages(before)})

    @route("/mail/attachment/<int:attachment_id>", methods=["GET"], auth="user")
    def attachment(self, attachment_id):
        """The content of an attachment the user may read (its record's read access)."""
        env = request.env
        attachment = env["ir.attachment"].browse(attachment_id).exists()
        if not attachment:
            raise NotFound(_("This file does not exist (any more)."))
        row = attachment.read(["name", "type", "url"])[0]
        if row["type"] == "url":
            target = safe_redirect_target(row["url"], default=None)
            if not target:
                raise NotFound(_("This attachment is a link to another site: %s", row["url"]))
            return redirect(target, 303)
        content = attachment.raw or b""
        image = next((kind for signature, kind in INLINE_IMAGES.items() if content.startswith(signature)), None)
        response = Response(content, mimetype=image or "application/octet-stream")
        if not image:
            response.headers.set("Content-Disposition", "attachment", filename=row["name"] or "file")
        else:
            response.headers.set("Content-Disposition", "inline", filename=row["name"] or "image")
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    # ------------------------------------------------------------ messages
    @route(PREFIX + "/post", methods=["POST"], auth="user")
    def post(self, model, res_id, body="", kind="message", back=None):
        record = thread_record(model, res_id)
        if kind not in ("message", "note"):
            raise BadRequest(_("Unknown kind of message “%s”.", kind))
        attachments = files_of("attachments")
        check_access(record, post_access(record) if kind == "message" else "write")
        text = (body or "").strip()

        def post():
            if not text and not attachments:
                raise UserError(_("Write a message or attach a file first."))
            record.message_post(
                body=_plain_to_html(text), message_type="comment", attachments=attachments or None,
                subtype_xmlid="mail.mt_comment" if kind == "message" else "mail.mt_note")
        return act(record, back, kind, post, body=body or "")

    @route(PREFIX + "/attach", methods=["POST"], auth="user")
    def attach(self, model, res_id, back=None):
        record = thread_record(model, res_id)
        check_write(record)
        files = files_of("files")

        def attach():
            if not files:
                raise UserError(_("Choose the files to attach first."))
            record.env["ir.attachment"].create([
                {"name": name, "raw": content, "mimetype": info["mimetype"], "res_model": record._name,
                 "res_id": record.id} for name, content, info in files])
        return act(record, back, "attachments", attach, keep_open=True)

    # ------------------------------------------------------------ followers
    @route(PREFIX + "/follow", methods=["POST"], auth="user")
    def follow(self, model, res_id, back=None):
        record = thread_record(model, res_id)
        partner = request.env.user.partner_id
        return act(record, back, None, lambda: record.message_subscribe(partner_ids=partner.ids))

    @route(PREFIX + "/unfollow", methods=["POST"], auth="user")
    def unfollow(self, model, res_id, back=None):
        record = thread_record(model, res_id)
        partner = request.env.user.partner_id
        return act(record, back, None, lambda: record.message_unsubscribe(partner_ids=partner.ids))

    @route(PREFIX + "/followers/add", methods=["POST"], auth="user")
    def add_follower(self, model, res_id, partner_id=None, partner_name="", back=None):
        record = thread_record(model, res_id)
        check_write(record)

        def add():
            partner = _pick("res.partner", partner_id, partner_name, _("contact"))
            record.message_subscribe(partner_ids=partner.ids)
        return act(record, back, "followers", add, keep_open=True, partner_name=partner_name or "")

    @route(PREFIX + "/followers/<int:partner_id>/remove", methods=["POST"], auth="user")
    def remove_follower(self, model, res_id, partner_id, back=None):
        record = thread_record(model, res_id)
        check_write(record)
        return act(record, back, "followers", lambda: record.message_unsubscribe(partner_ids=[partner_id]),
                   keep_open=True)

    # ------------------------------------------------------------ activities
    @route(PREFIX + "/activity/schedule", methods=["POST"], auth="user")
    def schedule_activity(self, model, res_id, activity_type_id="", summary="", date_deadline="",
                          user_id="", user_name="", note="", back=None):
        record = thread_record(model, res_id)
        env = record.env
        if not has_activities(record):
            raise NotFound(_("This document has no activities."))
        check_write(record)

        def schedule():
            values = {"summary": (summary or "").strip() or False, "note": _plain_to_html((note or "").strip())}
            try:
                values["date_deadline"] = datetime.date.fromisoformat(date_deadline)
            except (TypeError, ValueError):
                raise UserError(_("The due date “%s” is not a date (expected YYYY-MM-DD).", date_deadline or ""))
            if activity_type_id:
                activity_type = env["mail.activity.type"].browse(_int(activity_type_id, _("activity type"))).exists()
                if not activity_type:
                    raise UserError(_("This activity type does not exist (any more)."))
                values["activity_type_id"] = activity_type.id
            if user_id or (user_name or "").strip() not in ("", env.user.name):
                values["user_id"] = _pick("res.users", user_id, user_name, _("user")).id
            else:
                values["user_id"] = env.uid
            record.activity_schedule(**values)
        return act(record, back, "activity", schedule, activity_type_id=activity_type_id, summary=summary,
                   date_deadline=date_deadline, user_id=user_id, user_name=user_name, note=note)

    @route("/mail/chatter/activity/<int:activity_id>/done", methods=["POST"], auth="user")
    def activity_done(self, activity_id, feedback="", back=None):
        activity, record = self._activity(activity_id)
        text = (feedback or "").strip()
        return act(record, back, None, lambda: activity.action_done(feedback=text or False))

    @route("/mail/chatter/activity/<int:activity_id>/cancel", methods=["POST"], auth="user")
    def activity_cancel(self, activity_id, back=None):
        activity, record = self._activity(activity_id)
        return act(record, back, None, activity.action_cancel)

    def _activity(self, activity_id):
        """The activity (readable by the user) and its record, with write access to the record."""
        env = request.env
        if "mail.activity" not in env:
            raise NotFound(_("There are no activities here."))
        activity = env["mail.activity"].browse(activity_id).exists()
        if not activity:
            raise NotFound(_("This activity does not exist (any more)."))
        activity.check_access_rule("read")
        record = thread_record(activity.res_model, activity.res_id)
        check_write(record)
        return activity, record


def _int(value, what):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UserError(_("The %(what)s “%(value)s” is not a number.", what=what, value=value)) from None


def _pick(model, record_id, name, what):
    """The record chosen in a picker (contact, user): its id when the script's
    autocomplete set it, else the one record of ``model`` whose name matches the typed
    text (``what`` names the kind in the messages)."""
    env = request.env
    if record_id:
        found = env[model].browse(_int(record_id, what)).exists()
        if not found:
            raise UserError(_("This %s does not exist (any more).", what))
        return found
    name = (name or "").strip()
    if not name:
        raise UserError(_("Type the name of a %s first.", what))
    matches = env[model].name_search(name, [], limit=8)
    exact = [rid for rid, label in matches if label.strip().lower() == name.lower()]
    if len(matches) == 1 or len(exact) == 1:
        return env[model].browse(exact[0] if exact else matches[0][0])
    if not matches:
        raise UserError(_("No %(what)s matches “%(name)s”.", what=what, name=name))
    raise UserError(_("Several %(what)ss match “%(name)s”: type more of the name.", what=what, name=name))


def _plain_to_html(text):
    """What the user typed in a text area as HTML paragraphs (escaped)."""
    from markupsafe import escape
    if not text:
        return ""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>%s</p>" % str(escape(p.strip())).replace("\n", "<br>") for p in paragraphs)


