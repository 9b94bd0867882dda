"""Routes for tests/http: added through the register_routes hook."""
from core.exceptions import AccessError, UserError
from core.hooks import hookimpl
from core.http import Controller, request, route

#: the route collections this addon was given (a test adds to one after start: refused)
SEEN = []


class Demo(Controller):

    @route("/test/whoami", auth="user")
    def whoami(self):
        return {"uid": request.env.uid, "lang": request.env.lang, "login": request.session["login"]}

    @route("/test/public", auth="public")
    def public(self):
        return {"uid": request.env.uid}

    @route("/test/partner", methods=["GET", "POST"], auth="user")
    def create_partner(self, name="HTTP partner"):
        if request.method == "GET":
            return f'<form method="post"><input name="csrf_token" value="{request.csrf_token()}"></form>'
        request.env["res.partner"].create({"name": name})
        return "created"

    @route("/test/crash", methods=["POST"], auth="user", csrf=False)
    def crash(self, name):
        request.env["res.partner"].create({"name": name})
        request.env.flush_all()
        raise RuntimeError("secret internal detail")

    @route("/test/user_error", auth="user")
    def user_error(self):
        raise UserError("You cannot do that.")

    @route("/test/json/echo", type="json", auth="user")
    def echo(self, **params):
        return {"params": params, "uid": request.env.uid}

    @route("/test/json/fail", type="json", auth="user")
    def fail(self, kind):
        if kind == "user":
            raise UserError("Nothing to invoice.")
        if kind == "access":
            raise AccessError("Not yours.")
        raise ValueError("secret internal detail")


@hookimpl
def register_routes(routes):
    routes.add(Demo)
    SEEN.append(routes)
