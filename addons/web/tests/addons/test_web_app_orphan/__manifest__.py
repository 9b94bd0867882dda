{
    "name": "Test Web App Orphan",
    "version": "1.0",
    "summary": "Depends on an addon that is nowhere on the addons path",
    "author": "Tessera tests",
    "license": "LGPL-3",
    "depends": ["test_web_app_nowhere"],
}
