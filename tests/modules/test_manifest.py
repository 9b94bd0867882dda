"""Manifests are read as literals and checked; errors name the file."""
import logging

import pytest

from core.modules import ManifestError, read_manifest


def write_addon(tmp_path, name, manifest, files=()):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__manifest__.py").write_text(manifest)
    for relpath in files:
        (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
        (folder / relpath).write_text("<odoo/>")
    return folder


def test_defaults_and_values(tmp_path):
    folder = write_addon(tmp_path, "shop", "{'name': 'Shop', 'depends': ['base'], 'data': ['a.xml']}",
                         ["a.xml"])
    manifest = read_manifest(folder)
    assert (manifest.name, manifest.title, manifest.version, manifest.depends) == \
        ("shop", "Shop", "1.0", ["base"])
    assert manifest.installable is True and manifest.auto_install is False
    assert list(manifest.data) == ["a.xml"]


def test_manifest_is_never_executed(tmp_path):
    folder = write_addon(tmp_path, "evil", "{'name': __import__('os').system('echo hacked')}")
    with pytest.raises(ManifestError, match=r"evil/__manifest__\.py.*dict literal"):
        read_manifest(folder)


@pytest.mark.parametrize("text,message", [
    ("{'name': 'X', 'depends': 'base'}", r"'depends' must be a list or tuple"),
    ("{'name': 'X', 'installable': 'yes'}", r"'installable' must be a bool"),
    ("{'depends': []}", r"'name' is required"),
    ("['not', 'a', 'dict']", r"must be a dict"),
    ("{'name': 'X', 'data': ['missing.xml']}", r"data file 'missing.xml' does not exist"),
    ("{'name': 'X', 'data': ['script.py']}", r"only \.xml and \.csv"),
])
def test_bad_manifests_name_the_file(tmp_path, text, message):
    folder = write_addon(tmp_path, "bad", text)
    with pytest.raises(ManifestError, match=message) as info:
        read_manifest(folder)
    assert "bad/__manifest__.py" in str(info.value)


def test_unknown_keys_warn(tmp_path, caplog):
    folder = write_addon(tmp_path, "odd", "{'name': 'Odd', 'colour': 'blue'}")
    with caplog.at_level(logging.WARNING):
        read_manifest(folder)
    assert "unknown manifest key 'colour'" in caplog.text
