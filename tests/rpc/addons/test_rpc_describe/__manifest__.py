{
    "name": "Test RPC Describe",
    "version": "1.0",
    "summary": "An addon for the RPC description tests: model and record methods, a private one, "
               "overrides, and a partner field restricted to a group",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
