"""The gateway side of ``mail.thread``: ``message_process`` and the subject reference.

``message_process(model, message, custom_values=None, thread_id=None)`` is Odoo's
entry point for incoming mail (called by its mailgate script over XML-RPC).  Here it
hands the message to the inbox (``mail.inbox.deliver``): the raw bytes are stored and
committed first, then processed; it returns the id of the record the message went
to, or False when it was ignored (bounce, auto-reply, loop, duplicate) or failed (the
inbox keeps it, to be processed again).

``_mail_subject_reference``: a model may set a regular expression whose named group
is one of its fields, e.g. ``r"\\[TCK-(?P<id>\\d+)\\]"``, so that a message whose
subject carries the reference is posted on that record (see gateway/route.py).
"""
from core import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    #: a regex with one named group naming a field (see the module docstring); None: no reference
    _mail_subject_reference = None

    @api.model
    def message_process(self, model, message, custom_values=None, save_original=False,
                        strip_attachments=False, thread_id=None):
        """Store and process the raw ``message`` (bytes, or text as XML-RPC sends it);
        ``model`` is the fallback model, ``thread_id`` forces the record.  The id of the
        record it went to, or False (see the module docstring)."""
        if isinstance(message, str):
            message = message.encode("utf-8", "surrogateescape")
        elif hasattr(message, "data"):          # xmlrpc.client.Binary
            message = message.data
        result = self.env["mail.inbox"]._deliver(message, "rpc", model=model or None, thread_id=thread_id or None,
                                                 custom_values=custom_values or None)
        return result["res_id"] if result["status"] == "processed" else False
