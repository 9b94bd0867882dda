{
    "name": "Views test: an extension whose locator matches nothing",
    "depends": ["test_views_ok"],
    "data": ["views/bad_views.xml"],
    "license": "LGPL-3",
}
