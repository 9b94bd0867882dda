{
    "name": "Web",
    "version": "1.0",
    "summary": "The browser client: menus, actions, list, form and search views, the Apps page",
    "category": "Hidden",
    "author": "Tessera",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["data/web_menus.xml"],
    "installable": True,
    # every database with base gets the web client, as in Odoo
    "auto_install": True,
}
