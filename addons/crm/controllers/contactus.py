"""The public contact form (``/contactus``): a visitor's request becomes a lead.

No login: the page runs as the public user, and the lead, its partner and the
rate-limit row are written as superuser — the visitor chooses none of their ids,
only the texts, which are stored as texts.

- The sender is linked to the partner of the same (normalised) email address, or a
  new partner is made (the company too when one is named).
- A honeypot field, hidden from people, catches form-filling robots: filled, the
  visitor sees the thank-you page and nothing is stored.
- One address may send :data:`~addons.crm.models.crm_web_submission.LIMIT` requests
  an hour; then the page says to try later (HTTP 429).
"""
import email.utils

from markupsafe import Markup, escape

from core.api import SUPERUSER_ID
from core.http import Controller, request, route
from core.login_throttle import client_address

from addons.base.models.res_partner import email_normalize

FIELDS = ("contact_name", "email_from", "phone", "partner_name", "name", "description")
HONEYPOT = "website_url"
MAX_LENGTH = {"description": 10000}


class ContactForm(Controller):

    @route("/contactus", methods=["GET", "POST"], auth="public")
    def contactus(self, **params):
        if request.method == "GET":
            return self._page({}, {})
        values = {name: (params.get(name) or "").strip()[:MAX_LENGTH.get(name, 256)] for name in FIELDS}
        if params.get(HONEYPOT):
            return request.render("crm/contactus_thanks.html", {"values": values})
        errors = {}
        if not values["contact_name"]:
            errors["contact_name"] = "missing"
        address = email_normalize(values["email_from"])
        if not address:
            errors["email_from"] = "invalid"
        if not values["description"]:
            errors["description"] = "missing"
        if errors:
            return self._page(values, errors, status=400)
        env = request.env(user=SUPERUSER_ID)
        client = client_address()
        if not env["crm.web.submission"]._allowed(client):
            response = self._page(values, {"_form": "throttled"}, status=429)
            response.headers["Retry-After"] = "3600"
            return response
        lead = self._create_lead(env, values, address)
        env["crm.web.submission"].create({"address": client, "lead_id": lead.id})
        return request.render("crm/contactus_thanks.html", {"values": values})

    def _page(self, values, errors, status=200):
        return request.render("crm/contactus.html", {"values": values, "errors": errors,
                                                     "honeypot": HONEYPOT}, status=status)

    @staticmethod
    def _create_lead(env, values, address):
        Partner = env["res.partner"]
        partner = Partner.search([("email_normalized", "=", address)], limit=1)
        if not partner:
            company = Partner
            if values["partner_name"]:
                company = Partner.search([("name", "=ilike", values["partner_name"]), ("is_company", "=", True)],
                                         limit=1) or Partner.create({"name": values["partner_name"],
                                                                     "is_company": True})
            partner = Partner.create({"name": values["contact_name"], "email": values["email_from"],
                                      "phone": values["phone"] or False, "parent_id": company.id or False})
        body = Markup("<p>%s</p>") % Markup("<br/>").join(escape(values["description"]).split("\n"))
        medium = env.ref("utm.utm_medium_website", raise_if_not_found=False)
        team = env.ref("crm.team_sales_department", raise_if_not_found=False)
        name = values["name"] or f"{values['contact_name']}: {values['description'][:60]}"
        return env["crm.lead"].with_context(mail_create_nosubscribe=True).create({
            "name": name, "type": "lead", "contact_name": values["contact_name"],
            "partner_name": values["partner_name"] or False,
            "email_from": email.utils.formataddr((values["contact_name"], values["email_from"])),
            "phone": values["phone"] or False, "description": str(body), "partner_id": partner.id,
            "medium_id": medium.id if medium else False, "team_id": team.id if team else False,
            "user_id": False,
        })
