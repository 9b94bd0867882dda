# the thread: messages, subtypes, followers, tracking and the mail.thread mixin
from . import mail_message_subtype, mail_message, mail_followers, mail_tracking_value, mail_thread
from . import res_partner
# outgoing: the queue, the SMTP servers, templates
from . import ir_mail_server, mail_mail, mail_template
# incoming: the inbox of raw messages, aliases, fetched mailboxes
from . import mail_alias, mail_inbox, fetchmail_server, mail_thread_gateway
# activities
from . import mail_activity_type, mail_activity, mail_activity_mixin
