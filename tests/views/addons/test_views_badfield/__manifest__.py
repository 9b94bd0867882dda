{
    "name": "Views test: a view naming a field that does not exist",
    "depends": ["base"],
    "data": ["views/bad_views.xml"],
    "license": "LGPL-3",
}
