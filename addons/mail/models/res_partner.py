"""The mail side of partners: finding the partner behind an email address.

The incoming gateway and the notification code match senders and recipients to
partners by their normalised address (``email_normalized``, indexed); when several
partners share one address, the one of a user comes first, then the oldest.
"""
import email.utils

from addons.base.models.res_partner import email_normalize, format_address

from core import api, models


class Partner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _mail_find_partners(self, emails):
        """``{normalised address: partner}`` for the addresses in ``emails`` (strings, each
        with one address, "Name <address>" or bare) that belong to a partner; one query.
        Runs with the caller's rights: the gateway calls it in superuser mode."""
        addresses = {email_normalize(text) for text in emails or () if text}
        addresses.discard(False)
        if not addresses:
            return {}
        found = {}
        partners = self.with_context(active_test=False).search(
            [("email_normalized", "in", sorted(addresses))], order="id")
        users = set(self.env["res.users"].sudo().with_context(active_test=False)._search_rows(
            [("partner_id", "in", list(partners._ids))], ["partner_id"])) if partners else set()
        with_user = {partner_id for _id, partner_id in users}
        for partner in partners:
            address = partner.email_normalized
            current = found.get(address)
            if current is None or (partner.id in with_user and current.id not in with_user):
                found[address] = partner
        return found

    @api.model
    def _find_or_create_from_email(self, text, create=True):
        """The partner of the one address in ``text`` ("Name <address>" or bare), created
        from it when none exists and ``create`` is set; an empty recordset when ``text``
        holds no single valid address (or nobody has it and ``create`` is not set)."""
        address = email_normalize(text)
        if not address:
            return self.browse()
        partner = self._mail_find_partners([text]).get(address)
        if partner:
            return partner
        if not create:
            return self.browse()
        return self.browse(self.name_create(text)[0])

    @api.model
    def _find_or_create_from_emails(self, texts, create=True):
        """The partners of the addresses in ``texts`` (a list of strings, each possibly
        holding several addresses), in order, without duplicates; missing ones created
        when ``create`` is set."""
        wanted = {}
        for text in texts or ():
            for name, address in email.utils.getaddresses([text or ""]):
                normalized = email_normalize(address) if "@" in address else False
                if normalized and normalized not in wanted:
                    wanted[normalized] = format_address(name, address)
        found = self._mail_find_partners(list(wanted))
        partners = self.browse()
        for address, written in wanted.items():
            partner = found.get(address)
            if partner is None and create:
                partner = self.browse(self.name_create(written)[0])
            if partner:
                partners |= partner
        return partners
