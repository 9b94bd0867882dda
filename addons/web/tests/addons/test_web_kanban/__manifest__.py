{
    "name": "Test Web Kanban",
    "version": "1.0",
    "summary": "An addon for the kanban view's tests: tasks in stages, with tags, priority, "
               "a responsible user, an amount, a record rule and a constraint",
    "depends": ["web"],
    "data": [
        "security/ir.model.access.csv",
        "security/rules.xml",
        "data/stages.xml",
        "views/task_views.xml",
    ],
    "license": "LGPL-3",
}
