{
    "name": "Test Web Calendar",
    "version": "1.0",
    "summary": "An addon for the calendar view's tests: timed, all-day, date-only and duration events",
    "depends": ["web"],
    "data": [
        "security/ir.model.access.csv",
        "security/calendar_security.xml",
        "views/event_views.xml",
        "views/task_views.xml",
    ],
    "license": "LGPL-3",
}
