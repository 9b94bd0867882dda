{"name": "Cycle one", "depends": ["test_cycle_two"], "license": "LGPL-3"}
