"""(being written) The mail.activity.mixin."""
from core import models


class MailActivityMixin(models.AbstractModel):
    _name = "mail.activity.mixin"
    _description = "Activity Mixin"
