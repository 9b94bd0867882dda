"""Where an incoming message goes: an existing record (a reply) or a new one (an alias).

:func:`find_route` tries, in this order, and the first that answers wins:

1. an explicit ``model`` + ``thread_id`` given by the caller (``message_process``);
2. ``In-Reply-To`` naming a stored ``mail.message.message_id`` (a reply to a message
   of a thread, ours or one that came in);
3. ``References`` naming one (the newest first: mail clients that drop In-Reply-To
   keep References);
4. a signed record token in a recipient address (``catchall+model-id-token@domain``,
   ``addons/mail/tools.py``): the token is checked, so that nobody posts on a record
   by guessing its id;
5. a tracking reference in the subject: a model may declare
   ``_mail_subject_reference = r"\\[TCK-(?P<id>\\d+)\\]"``, a regular expression whose
   named group is a field of the model (``id`` or a unique reference field).  Because
   such references can be guessed, the route is only taken when the sender is known
   to the record (a follower, its ``partner_id`` or its ``email_from``);
6. the same subject (without Re:/Fwd:/AW:/WG: prefixes) from the same sender on a
   message of a record in the last ``mail.gateway.subject_days`` days (30), as a last
   resort for replies that lost every header (days counted from when the message was stored);
7. an addon's ``route_incoming_mail`` hook (core/hooks.py);
8. an alias (``mail.alias``) among the recipients' local parts;
9. the fallback ``model`` given by the caller (``mailgate --model``).

No route raises :class:`NoRoute`; the inbox keeps the message as failed.  Lookups run
as superuser: the sender of an email has no user, and which records a message may
reach is decided here, by the signed token, the stored Message-IDs and the aliases.
"""
import re
from collections import namedtuple
from datetime import timedelta

from core import _, fields

from .. import tools
from .parse import addresses, message_ids, normalize_subject

#: ``how`` tells which rule of the module docstring chose the route (kept on the inbox row)
Route = namedtuple("Route", "model res_id custom_values user_id alias parent_id how")


class NoRoute(ValueError):
    """Nothing the message says leads to a record, and no fallback model was given."""


class Refused(ValueError):
    """An alias does not accept mail from this sender (``alias_contact``)."""


def _is_thread(env, model_name):
    return bool(model_name) and model_name in env and callable(getattr(env[model_name], "message_post", None))


def _existing(env, model_name, res_id):
    if not (_is_thread(env, model_name) and res_id):
        return None
    record = env[model_name].sudo().browse(int(res_id)).exists()
    return record or None


def _by_message_ids(env, ids, how):
    """The route of the newest stored message among ``ids`` that belongs to a record."""
    if not ids:
        return None
    messages = env["mail.message"].sudo().search(
        [("message_id", "in", ids), ("model", "!=", False), ("res_id", "!=", False)], order="id desc")
    by_id = {}
    for message in messages:
        by_id.setdefault(message.message_id, message)
    for message_id in reversed(ids):        # the newest reference is the last one
        message = by_id.get(message_id)
        if message is not None and _existing(env, message.model, message.res_id):
            return Route(message.model, message.res_id, {}, None, None, message.id, how)
    return None


def recipients(msg_dict):
    """The bare addresses the message was sent to: To, Cc, Delivered-To, then the envelope."""
    seen = []
    for key in ("to", "cc", "delivered_to", "envelope_to"):
        for address in addresses(msg_dict.get(key) or ""):
            if address not in seen:
                seen.append(address)
    return seen


def _by_token(env, msg_dict):
    for address in recipients(msg_dict):
        found = tools.parse_reply_address(env, address)
        if found and _existing(env, *found):
            return Route(found[0], found[1], {}, None, None, False, "token")
    return None


def sender_known(record, msg_dict):
    """Is the sender of ``msg_dict`` one of the record's people (follower, customer, email_from)?"""
    author_id, address = msg_dict.get("author_id"), msg_dict.get("from_address")
    if author_id and "message_partner_ids" in record._fields and author_id in record.message_partner_ids.ids:
        return True
    if author_id and "partner_id" in record._fields and record.partner_id.id == author_id:
        return True
    if address and "email_from" in record._fields:
        return address in addresses(record.email_from or "")
    return False


def subject_reference_models(env):
    """``[(model name, compiled regex)]`` of the thread models declaring a subject reference."""
    found = []
    for name in sorted(env):
        pattern = getattr(type(env[name]), "_mail_subject_reference", None)
        if pattern and _is_thread(env, name):
            found.append((name, re.compile(pattern, re.IGNORECASE)))
    return found


def _by_subject_reference(env, msg_dict):
    subject = msg_dict.get("subject") or ""
    if not subject:
        return None
    for model_name, regex in subject_reference_models(env):
        match = regex.search(subject)
        if not match:
            continue
        model = env[model_name].sudo()
        for field_name, value in match.groupdict().items():
            if value is None or field_name not in model._fields:
                continue
            if field_name == "id":
                record = model.browse(int(value)).exists() if value.isdigit() else model.browse()
            else:
                record = model.search([(field_name, "=", value)], limit=2)
                record = record if len(record) == 1 else model.browse()
            if record and sender_known(record, msg_dict):
                return Route(model_name, record.id, {}, None, None, False, "subject reference")
    return None


def _by_subject_and_sender(env, msg_dict):
    core_subject = normalize_subject(msg_dict.get("subject"))
    address, author_id = msg_dict.get("from_address"), msg_dict.get("author_id")
    if not core_subject or not (address or author_id):
        return None
    params = env["ir.config_parameter"].sudo()
    days = int(params.get_param("mail.gateway.subject_days") or 30)
    sender = [("author_id", "=", author_id)] if author_id else [("email_from", "ilike", address)]
    candidates = env["mail.message"].sudo().search(
        [("model", "!=", False), ("res_id", "!=", False), ("subject", "ilike", core_subject),
         ("create_date", ">=", fields.Datetime.now() - timedelta(days=days))] + sender, order="id desc", limit=50)
    for message in candidates:
        if normalize_subject(message.subject) == core_subject and _existing(env, message.model, message.res_id):
            return Route(message.model, message.res_id, {}, None, None, message.id, "subject and sender")
    return None


def _by_hook(env, message):
    hooks = env.registry.hooks
    if hooks is None or message is None:
        return None
    record = hooks.hook.route_incoming_mail(env=env, message=message)
    if record:
        return Route(record._name, record.id, {}, None, None, False, "hook")
    return None


def _aliases(env, msg_dict):
    """The active aliases among the recipients (catchall domain only, when one is set)."""
    _catchall, domain = tools.catchall(env)
    names = []
    for address in recipients(msg_dict):
        local, _at, address_domain = address.rpartition("@")
        if domain and address_domain != domain.lower():
            continue
        names.append(local.split("+", 1)[0])
    if not names:
        return env["mail.alias"]
    aliases = env["mail.alias"].sudo().search([("alias_name", "in", names)])
    return aliases.sorted(lambda alias: names.index(alias.alias_name))


def check_alias_contact(env, alias, msg_dict, record=None):
    """Raise :class:`Refused` unless the sender may write to ``alias`` (``alias_contact``)."""
    if alias.alias_contact == "everyone":
        return
    author_id = msg_dict.get("author_id")
    if not author_id:
        raise Refused(_("The alias %(alias)s accepts mail from known contacts only; the sender "
                        "%(sender)s is not one.", alias=alias.alias_name,
                        sender=msg_dict.get("email_from") or "?"))
    if alias.alias_contact == "followers" and record is not None:
        if author_id not in record.message_partner_ids.ids:
            raise Refused(_("The alias %(alias)s accepts mail from the followers of %(record)s only; "
                            "the sender %(sender)s does not follow it.", alias=alias.alias_name,
                            record=record.display_name, sender=msg_dict.get("email_from") or "?"))


def _by_alias(env, msg_dict):
    for alias in _aliases(env, msg_dict):
        model_name = alias.alias_model_id.model
        if not _is_thread(env, model_name):
            raise NoRoute(_("The alias %(alias)s leads to %(model)s, which cannot receive mail.",
                            alias=alias.alias_name, model=model_name))
        if alias.alias_force_thread_id:
            record = _existing(env, model_name, alias.alias_force_thread_id)
            if record is None:
                raise NoRoute(_("The alias %(alias)s posts on %(model)s %(id)s, which does not exist.",
                                alias=alias.alias_name, model=model_name, id=alias.alias_force_thread_id))
            check_alias_contact(env, alias, msg_dict, record)
            return Route(model_name, record.id, {}, alias.alias_user_id.id or None, alias, False, "alias")
        check_alias_contact(env, alias, msg_dict)
        return Route(model_name, False, alias._defaults(), alias.alias_user_id.id or None, alias, False, "alias")
    return None


def find_route(env, msg_dict, message=None, model=None, thread_id=None, custom_values=None):
    """The :class:`Route` of ``msg_dict`` (see the module docstring), or :class:`NoRoute`.

    ``message`` is the parsed ``EmailMessage`` (for the addons' hook); ``model``,
    ``thread_id`` and ``custom_values`` are the caller's fallback.
    """
    if model and thread_id:
        if _existing(env, model, thread_id) is None:
            raise NoRoute(_("The message was sent to %(model)s %(id)s, which does not exist "
                            "or cannot receive mail.", model=model, id=thread_id))
        return Route(model, int(thread_id), {}, None, None, False, "given thread")
    route = (_by_message_ids(env, message_ids(msg_dict.get("in_reply_to")), "in-reply-to")
             or _by_message_ids(env, message_ids(msg_dict.get("references")), "references")
             or _by_token(env, msg_dict)
             or _by_subject_reference(env, msg_dict)
             or _by_subject_and_sender(env, msg_dict)
             or _by_hook(env, message)
             or _by_alias(env, msg_dict))
    if route:
        return route
    if model:
        if not _is_thread(env, model):
            raise NoRoute(_("The fallback model %s does not exist or cannot receive mail.") % model)
        return Route(model, False, dict(custom_values or {}), None, None, False, "fallback model")
    raise NoRoute(_("No record or alias matches this message (recipients: %(to)s; subject: %(subject)s), "
                    "and no fallback model was given.",
                    to=", ".join(recipients(msg_dict)) or _("none"), subject=msg_dict.get("subject") or ""))
