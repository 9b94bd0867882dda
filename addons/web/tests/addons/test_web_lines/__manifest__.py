{
    "name": "Test Web Lines",
    "version": "1.0",
    "summary": "An addon for the form view's tests: an order with a statusbar, tags and editable lines",
    "depends": ["web"],
    "data": [
        "security/ir.model.access.csv",
        "views/order_views.xml",
    ],
    "license": "LGPL-3",
}
