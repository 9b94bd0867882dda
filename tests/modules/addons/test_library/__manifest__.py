{
    "name": "Test Library",
    "version": "1.0",
    "summary": "An addon for the loader's tests: a model, a partner field, views, ACL and a rule",
    "depends": ["base"],
    "data": [
        "security/ir.model.access.csv",
        "security/library_security.xml",
        "views/book_views.xml",
        "data/library_data.xml",
    ],
    "demo": ["demo/library_demo.xml"],
    "license": "LGPL-3",
    "post_init_hook": "post_init",
    "uninstall_hook": "uninstall",
}
