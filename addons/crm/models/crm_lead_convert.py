"""Qualifying leads: conversion into opportunities, the customer behind them, and
the merge of duplicates.

- ``convert_opportunity(partner, user_ids, team_id)``: leads become opportunities of
  ``partner`` (a record or an id; none keeps what each lead has), assigned to the
  given salespeople in turn and to the team, placed in the team's first stage.
- ``_handle_partner_assignment(force_partner_id, create_missing)``: the customer of
  each lead: the one forced, else the one the lead has, else the partner found by
  the lead's email (normalised) or company / contact name, else — when asked — a
  new one: the company (from ``partner_name``) and the contact under it, created
  once per lead, never twice.
- ``merge_opportunity(user_id, team_id)``: the duplicates merged into the most
  advanced one (opportunities before leads, then the highest probability, then the
  oldest). Empty fields of the survivor take the others' values, notes are joined,
  tags united; every message, attachment, follower, activity and call of the others
  moves to the survivor; then the others are deleted. All in the caller's
  transaction: on an error nothing is merged.
"""
from markupsafe import escape

from core import Command, _, fields, models
from core.exceptions import UserError

from addons.base.models.res_partner import email_normalize

#: fields copied to the survivor of a merge when it has no value of its own
MERGE_FIELDS = (
    "partner_id", "partner_name", "contact_name", "function", "email_from", "phone", "mobile",
    "website", "street", "street2", "zip", "city", "state_id", "country_id", "user_id", "team_id",
    "date_deadline", "expected_revenue", "campaign_id", "source_id", "medium_id",
)


class CrmLeadConvert(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------ conversion
    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        """Make these leads opportunities of ``partner`` (record, id or False)."""
        partner_id = partner.id if hasattr(partner, "_name") else (partner or False)
        user_ids = list(user_ids or [])
        for index, lead in enumerate(self):
            values = {"type": "opportunity", "date_conversion": fields.Datetime.now()}
            if partner_id:
                values["partner_id"] = partner_id
            if user_ids:
                values["user_id"] = user_ids[index % len(user_ids)]
            if team_id:
                values["team_id"] = team_id
            if not lead.stage_id or lead.stage_id.is_lost:
                team = self.env["crm.team"].browse(team_id) if team_id else lead.team_id
                first = self._stages_of(team).filtered(lambda s: not s.is_won and not s.is_lost)[:1]
                if first:
                    values["stage_id"] = first.id
            lead.write(values)
        return True

    def _find_matching_partner(self):
        """The existing partner of this lead: by normalised email, then by company or contact name."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        if self.partner_id:
            return self.partner_id
        address = email_normalize(self.email_from)
        if address:
            found = Partner.search([("email_normalized", "=", address)], limit=1)
            if found:
                return found
        for name, company in ((self.partner_name, True), (self.contact_name, False)):
            if name:
                found = Partner.search([("name", "=ilike", name.strip()), ("is_company", "=", company)],
                                       limit=1)
                if found:
                    return found
        return Partner

    def _create_customer(self):
        """A new customer from the lead's contact details: the company, and the contact under it."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        address = {name: self[name].id if hasattr(self[name], "_name") else self[name]
                   for name in ("street", "street2", "zip", "city", "state_id", "country_id")}
        common = dict(address, phone=self.phone or False, mobile=self.mobile or False,
                      website=self.website or False)
        company = Partner
        if self.partner_name:
            company = Partner.create(dict(common, name=self.partner_name, is_company=True,
                                          email=False if self.contact_name else self.email_from or False))
        contact_name = self.contact_name or (False if company else (self.email_from or self.name))
        if contact_name:
            return Partner.create(dict(common, name=contact_name, parent_id=company.id or False,
                                       email=self.email_from or False, function=self.function or False))
        return company

    def _handle_partner_assignment(self, force_partner_id=False, create_missing=True):
        """Link each lead to its customer (see the module docstring); returns ``{lead id: partner id}``."""
        result = {}
        for lead in self:
            if force_partner_id:
                partner = self.env["res.partner"].browse(force_partner_id)
            else:
                partner = lead._find_matching_partner()
                if not partner and create_missing:
                    partner = lead._create_customer()
            if partner and lead.partner_id != partner:
                lead.partner_id = partner
            result[lead.id] = partner.id or False
        return result

    def _open_duplicates(self, partner=None):
        """Open leads and opportunities of the same customer or the same email, this one excluded."""
        self.ensure_one()
        clauses = []
        if partner:
            clauses.append([("partner_id", "=", partner.id)])
        if self.email_normalized:
            clauses.append([("email_normalized", "=", self.email_normalized)])
        if not clauses:
            return self.browse()
        domain = clauses[0] if len(clauses) == 1 else ["|"] + clauses[0] + clauses[1]
        return self.search([("id", "!=", self.id), ("won_status", "=", "pending")] + domain)

    # ------------------------------------------------------------ merge
    def _sort_by_confidence(self):
        """Opportunities first, then the highest probability, then the oldest."""
        return self.sorted(key=lambda lead: (lead.type != "opportunity", -(lead.probability or 0), lead.id))

    def merge_opportunity(self, user_id=False, team_id=False, auto_unlink=True):
        """Merge these leads into one (the most advanced); returns the survivor."""
        if len(self) < 2:
            raise UserError(_("Select at least two leads or opportunities to merge."))
        self.check_access_rights("write")
        self.check_access_rule("write")
        ordered = self.with_context(active_test=False)._sort_by_confidence()
        survivor, others = ordered[0], ordered[1:]
        values = {}
        for name in MERGE_FIELDS:
            if name not in self._fields or survivor[name]:
                continue
            for other in others:
                if other[name]:
                    value = other[name]
                    values[name] = value.id if hasattr(value, "_name") else value
                    break
        notes = [lead.description for lead in ordered if lead.description]
        if len(notes) > 1:
            values["description"] = "<hr/>".join(notes)
        tags = ordered.mapped("tag_ids")
        if tags - survivor.tag_ids:
            values["tag_ids"] = [Command.set(tags.ids)]
        if user_id:
            values["user_id"] = user_id
        if team_id:
            values["team_id"] = team_id
        if values:
            survivor.write(values)
        survivor._merge_dependences(others)
        if auto_unlink:
            others.unlink()
        return survivor

    def _merge_dependences(self, others):
        """Move the messages, attachments, followers, activities and calls of ``others`` here.

        Runs as superuser: the caller may write both leads (checked by merge_opportunity)
        but not necessarily the technical rows attached to them.
        """
        self.ensure_one()
        env = self.env(su=True)
        ids = others.ids
        moves = [("mail.message", "model", "res_id"), ("ir.attachment", "res_model", "res_id"),
                 ("mail.activity", "res_model", "res_id")]
        for model, model_field, id_field in moves:
            if model in env:
                rows = env[model].with_context(active_test=False).search(
                    [(model_field, "=", self._name), (id_field, "in", ids)])
                if rows:
                    rows.write({id_field: self.id})
        if "mail.followers" in env:
            Followers = env["mail.followers"]
            present = set(Followers.search([("res_model", "=", self._name), ("res_id", "=", self.id)])
                          .mapped("partner_id").ids)
            for follower in Followers.search([("res_model", "=", self._name), ("res_id", "in", ids)]):
                if follower.partner_id.id in present:
                    follower.unlink()
                else:
                    present.add(follower.partner_id.id)
                    follower.res_id = self.id
        if "crm.phonecall" in env:
            calls = env["crm.phonecall"].with_context(active_test=False).search([("opportunity_id", "in", ids)])
            if calls:
                calls.write({"opportunity_id": self.id})
        if hasattr(self, "message_post"):
            names = ", ".join(others.mapped("name"))
            self.message_post(body=str(escape(_("Merged with %s") % names)), subtype_xmlid="mail.mt_note")
