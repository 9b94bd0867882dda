{
    "name": "Test Web Analysis",
    "version": "1.0",
    "summary": "An addon for the graph and pivot views' tests and benchmark: deals to measure",
    "depends": ["web"],
    "data": [
        "security/ir.model.access.csv",
        "security/deal_security.xml",
        "views/deal_views.xml",
    ],
    "license": "LGPL-3",
}
