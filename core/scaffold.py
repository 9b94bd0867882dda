"""``scaffold``: write the skeleton of a new addon that installs as it is.

The skeleton follows the addon convention (see DESIGN.md): a manifest, one model
``<name>.<name>`` with a name, a description and an active flag, access for internal
users, a list view, a form view, an action and a menu, an empty ``i18n/`` folder and
a test.  The files are rendered from the Jinja2 templates in
``core/templates/scaffold/``; the list below says which template becomes which file.

This module owns only the writing of files; the command line wires it in
(``add_command``), and installing the result is the module loader's business.
"""
import keyword
import re
import sys
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates" / "scaffold"

#: (path in the addon, template) in writing order; ``{name}`` is the addon's name
FILES = (
    ("__init__.py", "__init__.py.jinja2"),
    ("__manifest__.py", "__manifest__.py.jinja2"),
    ("models/__init__.py", "models__init__.py.jinja2"),
    ("models/{name}.py", "model.py.jinja2"),
    ("security/ir.model.access.csv", "ir.model.access.csv.jinja2"),
    ("views/{name}_views.xml", "views.xml.jinja2"),
    ("tests/__init__.py", None),
    ("tests/test_{name}.py", "test_model.py.jinja2"),
)
FOLDERS = ("i18n",)

NAME = re.compile(r"[a-z][a-z0-9_]*")


class ScaffoldError(ValueError):
    """The addon cannot be written: a bad name or an occupied folder."""


def check_name(name):
    """Refuse a name that cannot be an addon: it must be a lowercase Python identifier."""
    if not isinstance(name, str) or not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"Invalid addon name {name!r}: use a lowercase Python identifier "
            f"(letters a-z, digits and '_', starting with a letter, not a Python keyword), "
            f"e.g. 'library' or 'sale_extra'")


def scaffold(name, dest_dir):
    """Write the addon ``name`` into ``dest_dir/name`` and return that folder.

    ``dest_dir`` is created if needed; ``dest_dir/name`` must be missing or empty.
    """
    check_name(name)
    target = Path(dest_dir) / name
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"Cannot scaffold addon {name!r}: {target} already exists and is not "
                            f"an empty folder; choose another name or destination")
    context = template_context(name)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    files = [(target / path.format(name=name),
              env.get_template(template).render(context) if template else "")
             for path, template in FILES]  # render everything before writing anything
    target.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        (target / folder).mkdir(exist_ok=True)
    for path, content in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return target


def template_context(name):
    """The values the templates use, for addon ``name``."""
    return {
        "name": name,
        "title": name.replace("_", " ").strip().title(),
        "class_name": "".join(part.capitalize() for part in name.split("_") if part),
        "model": f"{name}.{name}",
        "model_xml": f"{name}_{name}",
    }


def add_command(subparsers):
    """Add ``scaffold NAME [DEST]`` to the command line's sub-commands."""
    parser = subparsers.add_parser("scaffold", help="write the skeleton of a new addon",
                                   description="Write the skeleton of a new addon into DEST/NAME.")
    parser.add_argument("name", help="technical name of the addon (a lowercase Python identifier)")
    parser.add_argument("dest", nargs="?", default=".", help="folder to create the addon in (default: .)")
    parser.set_defaults(func=run_command)
    return parser


def run_command(args):
    """Run the ``scaffold`` sub-command; returns the process exit code."""
    try:
        target = scaffold(args.name, args.dest)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"addon {args.name!r} written to {target}")
    return 0
