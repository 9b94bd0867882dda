"""Home page, menus, and what every page of the web client shows around its content.

``render_page(template, values, window=None)`` renders a page inside the layout
(``web/layout.html``): the navigation bar with the apps' menus, the current app's
sub-menus, the user menu.  The home page lists the apps; ``/web/menu/<id>`` opens
the first action found under a menu.
"""
import zoneinfo

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from core.exceptions import AccessDenied, UserError
from core.http import Controller, request, route

from ..formatting import Formatter


def menu_tree():
    """The visible menus of the request's user, computed once per request."""
    if not hasattr(request, "_web_menus"):
        request._web_menus = request.env["ir.ui.menu"].load_menus()
    return request._web_menus


def _find(menus, menu_id, path=()):
    for menu in menus:
        if menu["id"] == menu_id:
            return path + (menu,)
        found = _find(menu["children"], menu_id, path + (menu,))
        if found:
            return found
    return None


def first_action(menu):
    """The first (model, id) action in ``menu`` or below it, depth first."""
    if menu["action"]:
        return menu["action"]
    for child in menu["children"]:
        action = first_action(child)
        if action:
            return action
    return None


def current_app(menu_id):
    """The root menu (app) that ``menu_id`` belongs to, or None."""
    try:
        menu_id = int(menu_id)
    except (TypeError, ValueError):
        return None
    path = _find(menu_tree(), menu_id)
    return path[0] if path else None


def action_url(action, menu_id=None):
    model, res_id = action
    query = f"?menu_id={menu_id}" if menu_id else ""
    if model == "ir.actions.act_window":
        return f"/web/action/{res_id}{query}"
    if model == "ir.actions.act_url":
        url = request.env[model].browse(res_id).url
        if url.startswith("/") and menu_id:
            url += ("&" if "?" in url else "?") + f"menu_id={menu_id}"
        return url
    raise NotFound(f"Actions of type {model} cannot be shown by this client.")


def render_page(template, values=None, window=None, status=200):
    """``template`` rendered in the layout, with the navigation of the user's menus."""
    menu_id = window.menu_id if window is not None else request.params.get("menu_id")
    page = {
        "menus": menu_tree(),
        "app": current_app(menu_id),
        "menu_id": menu_id,
        "user": request.env.user,
        "fmt": Formatter(request.env),
        "window": window,
        "lang": (request.env.lang or "en_US").split("_")[0],
    }
    page.update(values or {})
    return request.render(template, page, status=status)


class Home(Controller):

    @route("/web", methods=["GET"], auth="user")
    def home(self):
        return render_page("web/home.html", {"apps": menu_tree()})

    @route("/web/menu/<int:menu_id>", methods=["GET"], auth="user")
    def menu(self, menu_id):
        path = _find(menu_tree(), menu_id)
        if not path:
            raise NotFound("This menu does not exist or is not visible to you.")
        action = first_action(path[-1])
        if not action:
            raise NotFound("This menu opens nothing.")
        return redirect(action_url(action, path[0]["id"]), 303)

    @route("/web/preferences", methods=["GET", "POST"], auth="user")
    def preferences(self, **params):
        """The user's own settings: name, email, language, time zone, password, API keys."""
        values = self._preference_values()
        if request.method == "GET":
            values["message"] = params.get("saved") and "saved"
            values["key_message"] = params.get("key") if params.get("key") in ("deleted",) else None
            return render_page("web/preferences.html", values)
        form = values["form"]
        form.update({key: (params.get(key) or "").strip() for key in ("name", "email", "lang", "tz")})
        errors = values["errors"]
        if not form["name"]:
            errors["name"] = "required"
        if form["lang"] not in dict(values["languages"]):
            errors["lang"] = "unknown"
        if form["tz"] and form["tz"] not in values["timezones"]:
            errors["tz"] = "unknown"
        new_password = params.get("new_password") or ""
        if new_password and new_password != params.get("confirm_password"):
            errors["confirm_password"] = "mismatch"
        if new_password and not errors:
            # first, so that a wrong old password leaves nothing written
            try:
                request.env["res.users"].change_password(params.get("old_password") or "", new_password)
            except (AccessDenied, UserError):
                errors["old_password"] = "wrong"
        if errors:
            return render_page("web/preferences.html", values, status=400)
        user = request.env.user
        user.write({"name": form["name"], "email": form["email"] or False, "lang": form["lang"],
                    "tz": form["tz"] or False})
        # the session follows: new language and time zone, and the token of the new password
        session = request.session
        session["context"] = request.env["res.users"].context_get()
        session["token"] = request.env.user._session_token()
        return redirect("/web/preferences?saved=1", 303)

    def _preference_values(self, **extra):
        user = request.env.user
        languages = request.env["res.lang"].search([("active", "=", True)])
        keys = request.env["res.users.apikeys"].search([("user_id", "=", user.id)])
        return {"languages": [(lang.code, lang.name) for lang in languages],
                "timezones": sorted(zoneinfo.available_timezones()),
                "errors": {}, "message": None, "key_message": None, "new_key": None,
                "api_keys": [{"id": key.id, "name": key.name, "scope": key.scope or "",
                              "created": key.create_date} for key in keys],
                "form": {"name": user.name, "email": user.email or "", "lang": user.lang or "en_US",
                         "tz": user.tz or ""}, **extra}

    @route("/web/preferences/apikey", methods=["POST"], auth="user")
    def new_api_key(self, name="", password="", **params):
        """A new API key for the external API, shown this once; the user's password confirms it."""
        values = self._preference_values()
        name = (name or "").strip()
        if not name:
            values["errors"]["key_name"] = "required"
        else:
            try:
                if request.env.user._credential_kind(password or "") != "password":
                    raise AccessDenied()           # an API key does not make another one
            except AccessDenied:
                values["errors"]["key_password"] = "wrong"
        if values["errors"]:
            return render_page("web/preferences.html", values, status=400)
        values["new_key"] = {"name": name, "key": request.env["res.users.apikeys"]._generate("rpc", name)}
        values["api_keys"] = self._preference_values()["api_keys"]
        response = render_page("web/preferences.html", values)
        response.headers["Cache-Control"] = "no-store"       # the clear key must not stay in a cache
        return response

    @route("/web/preferences/apikey/<int:key_id>/delete", methods=["POST"], auth="user")
    def delete_api_key(self, key_id, **params):
        """Revoke one of the user's API keys (the record rule keeps others' out of reach)."""
        key = request.env["res.users.apikeys"].search([("id", "=", key_id), ("user_id", "=", request.env.uid)])
        if not key:
            raise NotFound("This API key does not exist or is not yours.")
        key.unlink()
        return redirect("/web/preferences?key=deleted", 303)
