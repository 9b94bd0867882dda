{
    "name": "Test HTTP routes",
    "version": "1.0",
    "summary": "An addon for the HTTP layer's tests: routes through the register_routes hook, a static file",
    "depends": ["base"],
    "license": "LGPL-3",
}
