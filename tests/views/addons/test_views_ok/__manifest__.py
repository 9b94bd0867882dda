{
    "name": "Views test: a valid view and its extension",
    "depends": ["base"],
    "data": ["views/partner_views.xml"],
    "license": "LGPL-3",
}
