{
    "name": "Test Web App",
    "version": "1.0",
    "summary": "An app for the Apps page's tests: a model, its menu, window action, list view and a page",
    "category": "Productivity",
    "author": "Tessera tests",
    "license": "LGPL-3",
    "application": True,
    "depends": ["web"],
    "data": [
        "security/ir.model.access.csv",
        "views/note_views.xml",
        "data/note_data.xml",
    ],
}
