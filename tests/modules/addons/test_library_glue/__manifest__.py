{
    "name": "Test glue",
    "depends": ["test_library", "test_library_loans"],
    "auto_install": True,
    "license": "LGPL-3",
}
