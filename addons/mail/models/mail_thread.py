"""(being written) The mail.thread mixin."""
from core import models


class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _description = "Email Thread"
