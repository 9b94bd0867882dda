{
    "name": "Test Web App Broken",
    "version": "1.0",
    "summary": "Fails half-way through its install: its table exists when its data file breaks",
    "category": "Productivity",
    "author": "Tessera tests",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/broken_data.xml"],
}
