"""The web client: server-rendered pages for the menus, actions and views of the
installed addons, enhanced by a little plain JavaScript (static/src/web.js).

- ``window.py``: an action being shown (model, domain, context, views) and its URLs.
- ``formatting.py``: values shown and read back in the user's language (Babel).
- ``controllers/``: the pages (home, list, form, export, Apps) and the JSON routes
  the script uses (autocomplete, onchange, exact count).
- ``templates/web/``: the Jinja2 templates; ``static/src/``: the script and styles.
"""
