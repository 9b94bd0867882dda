{
    "name": "Extends without depending",
    "depends": ["base"],
    "license": "LGPL-3",
}
