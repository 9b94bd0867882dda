{"name": "Cycle two", "depends": ["test_cycle_one"], "license": "LGPL-3"}
