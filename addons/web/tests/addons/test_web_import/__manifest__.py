{
    "name": "Test Web Import",
    "version": "1.0",
    "summary": "An addon for the CSV import's tests: items with every kind of field, lines and tags",
    "depends": ["base"],
    "data": [
        "security/ir.model.access.csv",
        "security/import_security.xml",
        "views/item_views.xml",
    ],
    "license": "LGPL-3",
}
