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
        """The user's own settings: name, email, language, time zone, password."""
        user = request.env.user
        languages = request.env["res.lang"].search([("active", "=", True)])
        values = {"languages": [(lang.code, lang.name) for lang in languages],
                  "timezones": sorted(zoneinfo.available_timezones()),
                  "errors": {}, "message": None, "form": {
                      "name": user.name, "email": user.email or "", "lang": user.lang or "en_US",
                      "tz": user.tz or ""}}
        if request.method == "GET":
            values["message"] = params.get("saved") and "saved"
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
        user.write({"name": form["name"], "email": form["email"] or False, "lang": form["lang"],
                    "tz": form["tz"] or False})
        # the session follows: new language and time zone, and the token of the new password
        session = request.session
        session["context"] = request.env["res.users"].context_get()
        session["token"] = request.env.user._session_token()
        return redirect("/web/preferences?saved=1", 303)
