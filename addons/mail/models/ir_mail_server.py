"""Outgoing mail servers: where the queue (``mail.mail``) hands its messages over SMTP.

A database may list several servers; a mail goes through its own ``mail_server_id``,
else the first active server (by sequence) whose ``from_filter`` accepts its sender,
else the first active server without a filter.  With no server in the database, the
``smtp_*`` options of the configuration file are used (``core.config.active()``);
without those either, nothing can be sent and the mails stay queued with the reason.

``connect()`` opens one SMTP session (plain, STARTTLS or SSL, with a login when a
user is set) that the sender reuses for a whole batch of mails.
"""
import smtplib
import ssl

from core import _, api, fields, models
from core import config as tessera_config
from core.exceptions import UserError, ValidationError

SMTP_TIMEOUT = 30   # seconds: a server that does not answer must not hold the queue for ever

ENCRYPTIONS = [
    ("none", "None"),
    ("starttls", "TLS (STARTTLS)"),
    ("ssl", "SSL/TLS"),
]


class SmtpParams(dict):
    """How to reach one SMTP server: host, port, encryption, user, password, ca_file, label."""

    def connect(self, timeout=SMTP_TIMEOUT):
        """An open, greeted (and logged in) :class:`smtplib.SMTP`; OSError / SMTPException on failure."""
        host, port, encryption = self["host"], int(self["port"] or 0), self["encryption"] or "none"
        if encryption not in dict(ENCRYPTIONS):
            raise ValueError(f"unknown SMTP encryption {encryption!r} for {self['label']}: "
                             f"expected none, starttls or ssl")
        context = None
        if encryption in ("ssl", "starttls"):
            context = ssl.create_default_context(cafile=self.get("ca_file") or None)
        if encryption == "ssl":
            smtp = smtplib.SMTP_SSL(host, port or 465, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port or 25, timeout=timeout)
        try:
            smtp.ehlo()
            if encryption == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.get("user"):
                smtp.login(self["user"], self.get("password") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


class IrMailServer(models.Model):
    _name = "ir.mail_server"
    _description = "Outgoing Mail Server"
    _order = "sequence, id"

    name = fields.Char(required=True)
    smtp_host = fields.Char(string="SMTP Server", required=True)
    smtp_port = fields.Integer(string="SMTP Port", required=True, default=25,
                               help="25 or 587 for none / STARTTLS, 465 for SSL/TLS")
    smtp_encryption = fields.Selection(ENCRYPTIONS, string="Connection Encryption", required=True,
                                       default="none")
    smtp_user = fields.Char(string="Username", groups="base.group_system")
    smtp_pass = fields.Char(string="Password", groups="base.group_system", prefetch=False, copy=False)
    smtp_ca_file = fields.Char(string="CA Certificates File", groups="base.group_system",
                               help="A PEM file of the authorities that may sign the server's "
                                    "certificate; empty: the system's authorities")
    sequence = fields.Integer(default=10, help="The first matching server (lowest) sends")
    active = fields.Boolean(default=True)
    from_filter = fields.Char(
        string="FROM Filtering",
        help="Send only mail from these senders: comma-separated domains (example.com) or "
             "addresses (news@example.com); empty: any sender")
    last_test = fields.Text(string="Last Connection Test", readonly=True, copy=False)

    @api.constrains("smtp_port")
    def _check_port(self):
        for server in self:
            if not 0 < server.smtp_port < 65536:
                raise ValidationError(_("The SMTP port of server “%(name)s” must be between 1 and 65535, got %(port)s.",
                                  name=server.name, port=server.smtp_port))

    # ------------------------------------------------------------ choosing a server
    def _smtp_params(self):
        """The :class:`SmtpParams` of this server (read as superuser: the queue sends for everyone)."""
        self.ensure_one()
        # sudo: the password and user are readable by admins only, the queue runs for any user
        server = self.sudo()
        return SmtpParams(host=server.smtp_host, port=server.smtp_port, encryption=server.smtp_encryption,
                          user=server.smtp_user, password=server.smtp_pass, ca_file=server.smtp_ca_file,
                          label=f"mail server “{server.name}” ({server.smtp_host}:{server.smtp_port})",
                          server_id=server.id)

    @api.model
    def _config_params(self):
        """The :class:`SmtpParams` of the configuration file's ``smtp_*`` options, or None."""
        config = tessera_config.active()
        if not config.smtp_server:
            return None
        return SmtpParams(host=config.smtp_server, port=config.smtp_port, encryption=config.smtp_encryption,
                          user=config.smtp_user, password=config.smtp_password, ca_file=None,
                          label=f"configured SMTP server {config.smtp_server}:{config.smtp_port}",
                          server_id=False)

    def _accepts_sender(self, address):
        """Does ``from_filter`` let this server send mail from the bare ``address``?"""
        if not self.from_filter:
            return True
        address = (address or "").lower()
        domain = address.rpartition("@")[2]
        for item in self.from_filter.lower().split(","):
            item = item.strip()
            if item and (item == address or ("@" not in item and item == domain)):
                return True
        return False

    @api.model
    def _find_for_sender(self, address, servers=None):
        """The server that sends mail from ``address``: filtered match first, else unfiltered, else the first."""
        # sudo: choosing the server is the queue's business, not the sending user's rights
        servers = servers if servers is not None else self.sudo().search([("active", "=", True)])
        matching = servers.filtered(lambda s: s.from_filter and s._accepts_sender(address))
        if matching:
            return matching[0]
        unfiltered = servers.filtered(lambda s: not s.from_filter)
        return unfiltered[:1] or servers[:1]

    @api.model
    def _default_from(self):
        """The sender of system mail: the configuration's ``email_from``, else notifications@catchall domain."""
        config = tessera_config.active()
        if config.email_from:
            return config.email_from
        from ..tools import catchall
        _alias, domain = catchall(self.env)
        default_from = self.env["ir.config_parameter"].sudo().get_param("mail.default.from") or "notifications"
        if "@" in default_from:
            return default_from
        return f"{default_from}@{domain}" if domain else None

    # ------------------------------------------------------------ connection
    @api.private
    def connect(self, timeout=SMTP_TIMEOUT):
        """An open SMTP session on this server (or the configured one when called on no record)."""
        params = self._smtp_params() if self else self._config_params()
        if params is None:
            raise UserError(_("No outgoing mail server: create one in Settings > Technical > Email "
                              "> Outgoing Mail Servers, or set smtp_server in the configuration."))
        return params.connect(timeout)

    def test_smtp_connection(self):
        """Button: connect, greet and log in, then hang up; the server's answer on failure."""
        for server in self:
            try:
                smtp = server.connect(timeout=10)
                code, answer = smtp.noop()
                smtp.quit()
            except smtplib.SMTPResponseException as exc:
                raise UserError(_("Connection test of “%(name)s” failed: the server answered %(code)s %(answer)s",
                                  name=server.name, code=exc.smtp_code,
                                  answer=_decode(exc.smtp_error))) from None
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                raise UserError(_("Connection test of “%(name)s” failed: %(error)s",
                                  name=server.name, error=str(exc) or type(exc).__name__)) from None
            server.last_test = _("%(date)s: connection succeeded (%(code)s %(answer)s)",
                                 date=fields.Datetime.to_string(fields.Datetime.now()),
                                 code=code, answer=_decode(answer))
        return True


def _decode(answer):
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
