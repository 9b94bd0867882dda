{
    "name": "Test Library Loans",
    "depends": ["test_library"],
    "license": "LGPL-3",
}
