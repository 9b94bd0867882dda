"""A page of the test app, added through the register_routes hook (it exists only while installed)."""
from core.hooks import hookimpl
from core.http import Controller, request, route

from addons.web.controllers.home import render_page


class NotesPage(Controller):

    @route("/test_web_app/notes", methods=["GET"], auth="user")
    def notes(self):
        notes = request.env["test.web.app.note"].search([])
        return render_page("test_web_app/notes.html", {"notes": notes})


@hookimpl
def register_routes(routes):
    routes.add(NotesPage)
