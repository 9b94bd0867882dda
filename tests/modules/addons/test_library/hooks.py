"""Hooks of the test addon: it counts its own install and removal, and adds a CLI command."""
from core.hooks import hookimpl

SEEN = []


@hookimpl
def post_install(env, module):
    SEEN.append(("post_install", module))


@hookimpl
def pre_uninstall(env, module):
    if module == "test_library":
        SEEN.append(("pre_uninstall", env["library.book"].search_count([])))


@hookimpl
def register_cli_commands(subparsers):
    parser = subparsers.add_parser("library-count", help="print how many books there are")
    parser.set_defaults(func=count_books)


def count_books(env, args):
    print(f"{env['library.book'].search_count([])} books")
    return 0
