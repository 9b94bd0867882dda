{
    "name": "Mail test models",
    "version": "1.0",
    "summary": "A ticket model with a chatter, tracking and activities, for the mail addon's tests",
    "category": "Hidden",
    "depends": ["mail"],
    "data": [
        "security/ir.model.access.csv",
        "views/test_mail_views.xml",
    ],
    "installable": True,
}
