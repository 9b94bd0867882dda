{
    "name": "UTM Trackers",
    "version": "1.0",
    "summary": "Campaigns, sources and mediums: where a lead or an order came from",
    "category": "Hidden",
    "author": "Tessera",
    "license": "LGPL-3",
    "depends": ["base", "web"],
    "data": [
        "security/ir.model.access.csv",
        "data/utm_data.xml",
        "views/utm_views.xml",
    ],
    "installable": True,
    "auto_install": False,
}
