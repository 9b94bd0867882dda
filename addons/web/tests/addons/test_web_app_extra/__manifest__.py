{
    "name": "Test Web App Extra",
    "version": "1.0",
    "summary": "Extends the test app: tags and a priority on notes (a dependant to show in uninstall plans)",
    "category": "Productivity",
    "author": "Tessera tests",
    "license": "LGPL-3",
    "depends": ["test_web_app"],
    "data": ["security/ir.model.access.csv"],
}
