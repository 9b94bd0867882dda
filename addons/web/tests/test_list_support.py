"""What the list, search and export tests share (no tests here).

``contacts(server)`` creates, on the served database, a list view, a search view and a
window action on res.partner made for these tests (the base addon's own views may
change; these stay put), and returns their ids.  ``row_ids(html)`` reads the record ids
of a list page in their order; ``count_queries(server)`` counts the SQL statements the
served registry runs.
"""
import re

from tests.support.sql import statements_of

LIST_ARCH = """
<list decoration-muted="not active" decoration-danger="credit_limit &gt; 5000" default_order="name">
  <field name="name" string="Contact"/>
  <field name="email"/>
  <field name="city"/>
  <field name="country_id"/>
  <field name="category_id" widget="many2many_tags"/>
  <field name="type" optional="hide"/>
  <field name="credit_limit" sum="Total credit"/>
  <field name="color" invisible="not is_company"/>
  <field name="is_company" optional="show"/>
  <field name="active" column_invisible="True"/>
  <field name="contact_address" optional="hide"/>
</list>"""

SEARCH_ARCH = """
<search>
  <field name="name" filter_domain="['|', ('name', 'ilike', self), ('email', 'ilike', self)]"/>
  <field name="email"/>
  <field name="city"/>
  <field name="country_id"/>
  <field name="category_id"/>
  <field name="credit_limit"/>
  <filter name="person" string="Individuals" domain="[('is_company', '=', False)]"/>
  <filter name="company" string="Companies" domain="[('is_company', '=', True)]"/>
  <separator/>
  <filter name="german" string="In Germany" domain="[('country_id.code', '=', 'DE')]"/>
  <filter name="rich" string="Big credit" domain="[('credit_limit', '&gt;', 1000)]"/>
  <separator/>
  <filter name="mine" string="Mine" domain="[('user_id', '=', uid)]"/>
  <group expand="0" string="Group By">
    <filter name="by_country" string="Country" context="{'group_by': 'country_id'}"/>
    <filter name="by_type" string="Address type" context="{'group_by': 'type'}"/>
    <filter name="by_month" string="Creation month" context="{'group_by': 'create_date:month'}"/>
  </group>
</search>"""


def contacts(server, context="{}", help=None, editable=None, view_mode="list,form", domain=None):
    """Views and an action on res.partner for these tests: ``{'action': id, 'list': id, 'search': id}``."""
    arch = LIST_ARCH if not editable else LIST_ARCH.replace("<list ", f'<list editable="{editable}" ', 1)
    with server.env() as env:
        views = env["ir.ui.view"]
        list_view = views.create({"name": "test.partner.list", "model": "res.partner", "type": "list",
                                  "arch": arch, "priority": 1})
        search_view = views.create({"name": "test.partner.search", "model": "res.partner", "type": "search",
                                    "arch": SEARCH_ARCH, "priority": 1})
        action = env["ir.actions.act_window"].create({
            "name": "Test Contacts", "res_model": "res.partner", "view_mode": view_mode,
            "view_id": list_view.id, "search_view_id": search_view.id, "context": context,
            "help": help, "domain": domain})
        return {"action": action.id, "list": list_view.id, "search": search_view.id}


ROW = re.compile(r'<tr class="o-row[^"]*" data-id="(\d+)"')


def row_ids(html):
    """The record ids of the rows of a list page, in their order."""
    return [int(rid) for rid in ROW.findall(html)]


def column_texts(html, name):
    """The texts of the cells of column ``name``, row by row (tags stripped)."""
    cells = re.findall(rf'<td class="[^"]*" data-name="{re.escape(name)}">(.*?)</td>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def count_queries(server):
    """``with count_queries(server) as statements:`` — the SQL statements run meanwhile."""
    return statements_of(server.manager.registry.engine)


def message(html):
    """The message of an error page."""
    match = re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None
