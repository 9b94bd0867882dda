"""ir.attachment: the filestore on disk, deduplication, deletion after commit, access."""
import base64
import hashlib
import os
import random
import threading
import time

import pytest
import sqlalchemy as sa

from core.api import SUPERUSER_ID, Environment
from core.db import is_retryable
from core.exceptions import AccessError

from .conftest import bare_registry

DEMO, OTHER, ADMIN = 2, 3, 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def registry(db_uri, tmp_path):
    registry = bare_registry(db_uri, ("__system__", "demo", "other", "admin"), str(tmp_path / "data"), "testdb")
    yield registry
    registry.engine.dispose()


@pytest.fixture
def env(bare_env):
    return bare_env


@pytest.fixture
def filestore(tmp_path):
    return tmp_path / "data" / "filestore" / "testdb"


def stored_path(filestore, content):
    sha1 = hashlib.sha1(content).hexdigest()
    return filestore / sha1[:2] / sha1


def files_in(filestore):
    return sorted(str(p.relative_to(filestore)) for p in filestore.rglob("*") if p.is_file())


# ---------------------------------------------------------------- storage
def test_content_is_written_to_the_filestore_and_read_back(env, filestore):
    content = b"Hello, filestore!\n"
    attachment = env["ir.attachment"].create({"name": "hello.txt", "raw": content})
    path = stored_path(filestore, content)
    assert path.read_bytes() == content
    sha1 = hashlib.sha1(content).hexdigest()
    assert attachment.store_fname == f"{sha1[:2]}/{sha1}"
    assert attachment.checksum == sha1
    assert attachment.file_size == len(content)
    assert attachment.mimetype == "text/plain"
    assert not attachment.db_datas
    env.cr.commit()  # and in a new transaction, from the file
    assert attachment.raw == content
    assert attachment.datas == base64.b64encode(content)
    [row] = attachment.read(["datas", "raw", "file_size"])
    assert row["datas"] == row["raw"] == base64.b64encode(content).decode()


def test_base64_datas_on_create_and_on_write(env, filestore):
    attachment = env["ir.attachment"].create({"name": "a.bin", "datas": base64.b64encode(b"first")})
    assert attachment.raw == b"first"
    attachment.datas = base64.b64encode(b"second").decode()
    assert attachment.raw == b"second"
    assert stored_path(filestore, b"second").read_bytes() == b"second"


def test_equal_contents_share_one_file_until_the_last_is_deleted(env, filestore):
    content = b"shared content"
    first, second = env["ir.attachment"].create([{"name": "one.txt", "raw": content},
                                                 {"name": "two.txt", "raw": content}])
    env["ir.attachment"].create({"name": "three.txt", "raw": content})
    assert first.store_fname == second.store_fname
    assert files_in(filestore) == [first.store_fname]
    env.cr.commit()
    (first | second).unlink()
    env.cr.commit()
    assert stored_path(filestore, content).exists()  # still used by three.txt
    env["ir.attachment"].search([("name", "=", "three.txt")]).unlink()
    assert stored_path(filestore, content).exists()  # only after commit
    env.cr.commit()
    assert files_in(filestore) == []


def test_unlink_then_rollback_keeps_the_file(env, filestore):
    attachment = env["ir.attachment"].create({"name": "keep.txt", "raw": b"keep me"})
    env.cr.commit()
    attachment.unlink()
    env.cr.rollback()
    assert stored_path(filestore, b"keep me").exists()
    assert env["ir.attachment"].browse(attachment.id).raw == b"keep me"


def test_new_content_replaces_the_old_file_after_commit(env, filestore):
    attachment = env["ir.attachment"].create({"name": "doc.txt", "raw": b"version 1"})
    env.cr.commit()
    attachment.write({"raw": b"version 2"})
    assert attachment.raw == b"version 2"
    assert attachment.file_size == 9 and attachment.checksum == hashlib.sha1(b"version 2").hexdigest()
    assert stored_path(filestore, b"version 1").exists()
    env.cr.commit()
    assert not stored_path(filestore, b"version 1").exists()
    assert stored_path(filestore, b"version 2").read_bytes() == b"version 2"


def test_a_rolled_back_write_leaves_garbage_that_the_collector_removes(env, filestore):
    attachment = env["ir.attachment"].create({"name": "doc.txt", "raw": b"kept"})
    env.cr.commit()
    attachment.raw = b"abandoned"
    env.cr.rollback()
    assert attachment.raw == b"kept"
    assert stored_path(filestore, b"abandoned").exists()  # garbage, documented
    (filestore / "ab").mkdir(exist_ok=True)
    (filestore / "ab" / ("ab" * 20 + ".0123.tmp")).write_bytes(b"a write cut short")
    assert env["ir.attachment"]._gc_file_store() == 2
    assert files_in(filestore) == [attachment.store_fname]
    with pytest.raises(AccessError):
        env["ir.attachment"].with_user(DEMO)._gc_file_store()


def test_a_file_reused_by_a_concurrent_transaction_is_not_deleted(registry, filestore):
    """Deleting the last committed reference while another transaction adds one."""
    content = b"wanted twice"
    with registry.cursor() as cr:
        old_id = Environment(cr, SUPERUSER_ID, {})["ir.attachment"].create({"name": "old", "raw": content}).id
    reusing = registry.cursor()
    try:
        Environment(reusing, SUPERUSER_ID, {})["ir.attachment"].create({"name": "new", "raw": content})
        errors = []

        def delete_old():  # its own transaction, retried on conflicts as requests are
            for _attempt in range(100):
                try:
                    with registry.cursor() as cr:
                        Environment(cr, SUPERUSER_ID, {})["ir.attachment"].browse(old_id).unlink()
                    return  # committed: the file collector has run
                except sa.exc.DBAPIError as exc:
                    if not is_retryable(exc):
                        errors.append(exc)
                        return
                    time.sleep(random.uniform(0.001, 0.02))

        deleter = threading.Thread(target=delete_old)
        deleter.start()
        time.sleep(0.5)
        # PostgreSQL: the collector waits for the table lock; SQLite: the delete waits
        # for the write lock.  Either way nothing is deleted while "new" is uncommitted.
        assert deleter.is_alive() and stored_path(filestore, content).exists()
        reusing.commit()
        deleter.join(30)
        assert not deleter.is_alive() and not errors
    finally:
        reusing.close()
    assert stored_path(filestore, content).read_bytes() == content
    with registry.cursor() as cr:
        [new] = Environment(cr, SUPERUSER_ID, {})["ir.attachment"].search([])
        assert new.name == "new" and new.raw == content


def test_database_storage_when_asked_for(env, filestore):
    env["ir.config_parameter"].set_param("ir_attachment.location", "db")
    attachment = env["ir.attachment"].create({"name": "in_db.txt", "raw": b"in the database"})
    assert not attachment.store_fname
    assert base64.b64decode(attachment.db_datas) == b"in the database"
    env.cr.commit()
    assert attachment.raw == b"in the database"
    assert files_in(filestore) == []


def test_empty_content_and_urls_store_no_file(env, filestore):
    empty = env["ir.attachment"].create({"name": "empty.txt", "raw": b""})
    link = env["ir.attachment"].create({"name": "Docs", "type": "url", "url": "https://example.com/a.pdf"})
    assert empty.file_size == 0 and not empty.store_fname and empty.raw is False
    assert link.mimetype == "application/pdf" and not link.raw
    assert files_in(filestore) == []


def test_a_missing_file_reads_as_empty(env, filestore, caplog):
    attachment = env["ir.attachment"].create({"name": "gone.txt", "raw": b"soon gone"})
    env.cr.commit()
    os.unlink(stored_path(filestore, b"soon gone"))
    assert attachment.raw is False
    assert "cannot read file" in caplog.text


def test_callers_cannot_set_the_storage_columns(env):
    attachment = env["ir.attachment"].create({"name": "x.txt", "raw": b"x", "checksum": "0" * 40,
                                              "store_fname": "../../etc/passwd", "file_size": 99})
    assert attachment.checksum == hashlib.sha1(b"x").hexdigest() and attachment.file_size == 1
    attachment.write({"store_fname": "../../etc/passwd"})
    assert attachment.store_fname == attachment.checksum[:2] + "/" + attachment.checksum


def test_copy_shares_the_file(env, filestore):
    attachment = env["ir.attachment"].create({"name": "orig.txt", "raw": b"copied"})
    copy = attachment.copy({"name": "copy.txt"})
    assert copy.raw == b"copied" and copy.store_fname == attachment.store_fname
    assert len(files_in(filestore)) == 1


def test_bin_size_gives_a_human_size(env):
    attachment = env["ir.attachment"].create({"name": "big.bin", "raw": b"x" * 2048})
    env.cr.commit()
    sized = attachment.with_context(bin_size=True)
    assert sized.datas == sized.raw == "2.00 Kb"
    assert attachment.raw == b"x" * 2048


def test_filestore_location_without_a_configured_name(registry, tmp_path):
    registry.db_name = None
    with registry.cursor() as cr:
        folder = Environment(cr, SUPERUSER_ID, {})["ir.attachment"]._filestore()
    assert folder.startswith(os.path.join(str(tmp_path / "data"), "filestore", ""))


# ---------------------------------------------------------------- mimetypes
@pytest.mark.parametrize("vals, expected", [
    ({"name": "report.pdf", "raw": b"whatever"}, "application/pdf"),
    ({"name": "photo", "raw": PNG}, "image/png"),
    ({"name": "photo.jpg", "raw": PNG}, "image/jpeg"),  # the name wins, as in Odoo
    ({"name": "scan", "raw": b"%PDF-1.7\n..."}, "application/pdf"),
    ({"name": "notes", "raw": "Grüße\n".encode()}, "text/plain"),
    ({"name": "blob", "raw": bytes(range(256))}, "application/octet-stream"),
    ({"name": "data", "raw": b"a,b\n", "mimetype": "text/csv"}, "text/csv"),
    ({"name": "page.html", "raw": b"<html></html>"}, "text/html"),
])
def test_mimetype_is_guessed(env, vals, expected):
    assert env["ir.attachment"].create(vals).mimetype == expected


def test_active_content_from_a_user_is_served_as_text(env):
    attachment = env["ir.attachment"].with_user(DEMO).create(
        {"name": "evil.html", "raw": b"<html><script>alert(1)</script></html>"})
    assert attachment.mimetype == "text/plain"
    svg = env["ir.attachment"].with_user(DEMO).create({"name": "logo", "raw": b"<svg></svg>"})
    assert svg.mimetype == "text/plain"
    attachment.with_user(DEMO).write({"mimetype": "image/svg+xml"})
    assert attachment.mimetype == "text/plain"


def test_new_content_guesses_the_mimetype_again(env):
    attachment = env["ir.attachment"].create({"name": "file", "raw": b"plain"})
    attachment.raw = PNG
    assert attachment.mimetype == "image/png"


# ---------------------------------------------------------------- searches
def test_binary_field_attachments_are_left_out_of_searches(env):
    normal = env["ir.attachment"].create(
        {"name": "doc", "raw": b"1", "res_model": "res.partner", "res_id": 1})
    field = env["ir.attachment"].create({"name": "image_1920", "raw": b"2", "res_model": "res.partner",
                                         "res_id": 1, "res_field": "image_1920"})
    assert env["ir.attachment"].search([("res_model", "=", "res.partner")]) == normal
    assert env["ir.attachment"].search_count([("res_model", "=", "res.partner")]) == 1
    assert env["ir.attachment"].search([("res_field", "=", "image_1920")]) == field
    assert env["ir.attachment"].search([("id", "in", [normal.id, field.id])]) == normal | field


# ---------------------------------------------------------------- access
@pytest.fixture
def secured(registry):
    """Partners named 'Secret…' are hidden from users, 'Readonly…' only readable;
    ADMIN is an administrator (base.group_system)."""

    def access_checker(records, operation):
        if records._name != "res.partner":
            return
        for partner in records.sudo():
            if partner.name.startswith("Secret") or (
                    operation != "read" and partner.name.startswith("Readonly")):
                raise AccessError(f"no {operation} access to {partner.name}")

    registry.access_checker = access_checker
    registry.group_checker = lambda env, groups: env.uid == ADMIN and "base.group_system" in groups
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        partners = {name: env["res.partner"].create({"name": name}).id
                    for name in ("Open", "Secret", "Readonly")}
        attachments = {name: env["ir.attachment"].create(
            {"name": f"{name}.txt", "raw": name.encode(), "res_model": "res.partner", "res_id": pid}).id
            for name, pid in partners.items()}
        partners["ids"] = attachments
    yield partners
    registry.access_checker = registry.group_checker = None


def test_reading_follows_the_document(registry, secured):
    ids = secured["ids"]
    with registry.cursor() as cr:
        demo = Environment(cr, DEMO, {})["ir.attachment"]
        assert demo.browse(ids["Open"]).read(["raw"])[0]["raw"] == base64.b64encode(b"Open").decode()
        with pytest.raises(AccessError, match="no read access to Secret"):
            demo.browse(ids["Secret"]).read(["name"])
        found = demo.search([("res_model", "=", "res.partner")])
        assert sorted(found.ids) == sorted([ids["Open"], ids["Readonly"]])
        assert demo.search_count([]) == 2
        assert demo.search_read([("name", "like", "Secret")], ["name"]) == []


def test_changing_needs_write_access_to_the_document(registry, secured):
    ids = secured["ids"]
    with registry.cursor() as cr:
        demo = Environment(cr, DEMO, {})["ir.attachment"]
        demo.browse(ids["Open"]).write({"description": "fine"})
        with pytest.raises(AccessError, match="no write access to Readonly"):
            demo.browse(ids["Readonly"]).write({"description": "no"})
        with pytest.raises(AccessError, match="no unlink access|no write access"):
            demo.browse(ids["Readonly"]).unlink()
        with pytest.raises(AccessError, match="no write access to Readonly"):
            demo.create({"name": "new.txt", "raw": b"x", "res_model": "res.partner",
                         "res_id": secured["Readonly"]})
        with pytest.raises(AccessError, match="no write access to Secret"):
            demo.browse(ids["Open"]).write({"res_id": secured["Secret"]})
        created = demo.create({"name": "new.txt", "raw": b"x", "res_model": "res.partner",
                               "res_id": secured["Open"]})
        created.unlink()


def test_attachments_without_document_are_private_unless_public(registry, secured):
    with registry.cursor() as cr:
        mine = Environment(cr, DEMO, {})["ir.attachment"].create({"name": "mine.txt", "raw": b"m"})
        public = Environment(cr, OTHER, {})["ir.attachment"].create(
            {"name": "public.txt", "raw": b"p", "public": True})
        other = Environment(cr, OTHER, {})["ir.attachment"]
        assert mine.read(["name"])[0]["name"] == "mine.txt"
        with pytest.raises(AccessError, match="belongs to another user"):
            mine.with_user(OTHER).read(["name"])
        with pytest.raises(AccessError, match="belongs to another user"):
            mine.with_user(OTHER).unlink()
        assert mine not in other.search([])
        assert public.with_user(DEMO).read(["name"])[0]["name"] == "public.txt"
        with pytest.raises(AccessError):
            public.with_user(DEMO).write({"name": "mine now"})
        admin = Environment(cr, ADMIN, {})["ir.attachment"]
        assert mine in admin.search([]) and admin.browse(mine.id).read(["name"])
        # all but the one of the secret partner: for documents, their own rules decide
        everything = set(admin.sudo().search([]).ids)
        assert sorted(admin.search([]).ids) == sorted(everything - {secured["ids"]["Secret"]})


def test_binary_field_attachments_are_for_administrators(registry, secured):
    with registry.cursor() as cr:
        field = Environment(cr, SUPERUSER_ID, {})["ir.attachment"].create(
            {"name": "image", "raw": b"i", "res_model": "res.partner", "res_id": secured["Open"],
             "res_field": "image_1920"})
        with pytest.raises(AccessError, match="holds a field"):
            field.with_user(DEMO).read(["name"])
        assert field.with_user(ADMIN).read(["name"])


def test_search_pages_count_only_readable_attachments(registry, secured):
    with registry.cursor() as cr:
        root = Environment(cr, SUPERUSER_ID, {})["ir.attachment"]
        secret, open_ = secured["Secret"], secured["Open"]
        hidden = root.create([{"name": f"s{i}", "raw": b"s", "res_model": "res.partner", "res_id": secret}
                              for i in range(250)])
        visible = root.create([{"name": f"o{i}", "raw": b"o", "res_model": "res.partner", "res_id": open_}
                               for i in range(5)])
        demo = root.with_user(DEMO)
        order = "id"
        page = demo.search([("name", "=like", "_%")], offset=1, limit=3, order=order)
        readable = [secured["ids"]["Open"], secured["ids"]["Readonly"]] + visible.ids
        assert page.ids == readable[1:4]
        assert demo.search([], order=order, offset=6, limit=10).ids == readable[6:]
        assert demo.search_count([]) == 7 and demo.search_count([], limit=3) == 3
        assert not set(hidden.ids) & set(demo.search([]).ids)


# ---------------------------------------------------------------- with the real security
@pytest.fixture
def installed(base_db_uri, tmp_path):
    """The base addon installed by the loader, with its groups, users and access rules."""
    from core.modules import ModuleManager
    manager = ModuleManager(base_db_uri, data_dir=str(tmp_path / "data"))
    registry = manager.open()
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        yield {login: env.ref(xmlid).id for login, xmlid in
               (("admin", "base.user_admin"), ("demo", "base.user_demo"), ("portal", "base.demo_user0"))} \
            | {"env": env, "partner": env.ref("base.res_partner_1").id}
    manager.engine.dispose()
    registry.engine.dispose()


def test_access_with_the_base_addon_installed(installed):
    env = installed["env"]
    as_admin, as_demo, as_portal = (env["ir.attachment"].with_user(installed[login])
                                    for login in ("admin", "demo", "portal"))
    on_partner = as_admin.create({"name": "contract.pdf", "raw": b"%PDF-1.4",
                                  "res_model": "res.partner", "res_id": installed["partner"]})
    assert on_partner.with_user(installed["demo"]).read(["name"])[0]["name"] == "contract.pdf"
    # internal users read partners but may not change them, nor their attachments
    with pytest.raises(AccessError):
        on_partner.with_user(installed["demo"]).write({"name": "mine.pdf"})
    with pytest.raises(AccessError):
        as_demo.create({"name": "x.txt", "raw": b"x", "res_model": "res.partner",
                        "res_id": installed["partner"]})
    # portal users see their own commercial partner only
    with pytest.raises(AccessError):
        on_partner.with_user(installed["portal"]).read(["name"])
    assert on_partner not in as_portal.search([])
    private = as_demo.create({"name": "note.txt", "raw": b"note"})
    assert private in as_demo.search([]) and private not in as_portal.search([])
    with pytest.raises(AccessError):
        private.with_user(installed["portal"]).read(["raw"])
    assert private in as_admin.search([]) and on_partner in as_admin.search([])
