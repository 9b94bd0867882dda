"""The incoming mail gateway: from raw bytes to a record, nothing lost on the way.

- ``parse.py``: raw RFC 5322 bytes → ``msg_dict`` (charsets, encoded words, body, attachments);
- ``detect.py``: bounces and auto-replies, recognised from the headers;
- ``route.py``: which record a message belongs to (replies, tokens, references, aliases);
- ``listener.py``: the inbound SMTP listener (aiosmtpd);
- ``cli.py``: ``server.py mailgate | mail-listen | mail-retry | mail-fetch``.

The storage and the processing steps are the ``mail.inbox`` model's
(``models/mail_inbox.py``); aliases are ``mail.alias``, mailboxes ``fetchmail.server``.
"""
