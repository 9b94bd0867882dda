"""Passwords and API keys: stored hashed, checked in constant time, never given back."""
import logging

import pytest
import sqlalchemy as sa

from core import security
from core.exceptions import AccessDenied, AccessError, UserError

from .common import grant, make_user


def stored_password(env, user):
    """The password column as the database holds it, bypassing the ORM."""
    table = env.registry.tables["res.users"]
    env.flush_all()
    return env.cr.execute(sa.select(table.c.password).where(table.c.id == user.id)).scalar_one()


def test_password_is_stored_hashed(env):
    user = make_user(env, "hashed", ["base.group_user"], password="correct horse")
    column = stored_password(env, user)
    assert "correct horse" not in column
    scheme, rounds, salt, digest = column.split("$")[1:]
    assert scheme == "pbkdf2-sha512"
    assert int(rounds) >= 100_000
    assert len(salt) >= 16 and len(digest) == 86          # 16 and 64 bytes in adapted base64
    assert security.verify_password("correct horse", column)


def test_same_password_different_hashes(env):
    first = make_user(env, "first", [], password="same")
    second = make_user(env, "second", [], password="same")
    assert stored_password(env, first) != stored_password(env, second)


def test_write_hashes_too_and_empty_clears(env):
    user = make_user(env, "writer", [], password="one")
    user.write({"password": "two"})
    assert security.verify_password("two", stored_password(env, user))
    user.write({"password": False})
    assert stored_password(env, user) is None
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("writer", "two")


def test_authenticate(env, caplog):
    user = make_user(env, "alice", ["base.group_user"], password="Wonderland-1")
    caplog.set_level(logging.INFO)
    assert env["res.users"].authenticate("alice", "Wonderland-1") == user.id
    for login, password in (("alice", "wonderland-1"), ("alice", ""), ("nobody", "Wonderland-1"),
                            ("", "x"), ("alice", None)):
        with pytest.raises(AccessDenied) as info:
            env["res.users"].authenticate(login, password)
        assert str(info.value) == "Access Denied"
    assert "Wonderland-1" not in caplog.text and "wonderland-1" not in caplog.text
    user.write({"active": False})
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("alice", "Wonderland-1")


def test_user_without_password_cannot_log_in(env):
    make_user(env, "nopass", ["base.group_user"])
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("nopass", "")
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("nopass", "anything")


def test_check_credentials(env):
    user = make_user(env, "bob", ["base.group_user"], password="b0b-pass")
    user._check_credentials("b0b-pass")
    with pytest.raises(AccessDenied):
        user._check_credentials("wrong")
    env(user=user.id)["res.users"]._check_credentials("b0b-pass")     # empty set: the env's user


def test_weak_hashes_are_upgraded_on_login(env):
    user = make_user(env, "old", [], password="old-pass")
    weak = security.hash_password("old-pass", rounds=1000)
    table = env.registry.tables["res.users"]
    env.cr.execute(sa.update(table).where(table.c.id == user.id).values(password=weak))
    user.invalidate_recordset()
    assert env["res.users"].authenticate("old", "old-pass") == user.id
    assert not security.needs_rehash(stored_password(env, user))


def test_api_key_works_as_password(env):
    user = make_user(env, "robot", ["base.group_user"], password="robot-pass")
    key = env(user=user.id)["res.users.apikeys"]._generate("rpc", "CI pipeline")
    assert len(key) == 40
    assert env["res.users"].authenticate("robot", key) == user.id
    user._check_credentials(key)
    row = env["res.users.apikeys"].search([("user_id", "=", user.id)])
    assert row.name == "CI pipeline" and row.scope == "rpc" and row.index == key[:8]
    table = env.registry.tables["res.users.apikeys"]
    column = env.cr.execute(sa.select(table.c.key).where(table.c.id == row.id)).scalar_one()
    assert key not in column and security.verify_password(key, column)
    other = make_user(env, "other-robot", ["base.group_user"])
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("other-robot", key)         # someone else's key
    with pytest.raises(AccessDenied):
        user._check_credentials(key, scope="totp")                 # another scope
    row.unlink()
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("robot", key)
    assert other


def test_api_key_without_scope_works_for_any_scope(env):
    user = make_user(env, "anyscope", ["base.group_user"])
    key = env(user=user.id)["res.users.apikeys"]._generate(None, "everything")
    user._check_credentials(key, scope="rpc")
    user._check_credentials(key, scope="other")


def test_api_keys_cannot_be_made_or_changed_by_hand(env):
    user = make_user(env, "handmade", ["base.group_user"])
    with pytest.raises(UserError):
        env["res.users.apikeys"].create({"name": "x", "user_id": user.id, "key": "short"})
    key = env(user=user.id)["res.users.apikeys"]._generate("rpc", "k")
    row = env["res.users.apikeys"].search([("user_id", "=", user.id)])
    with pytest.raises(UserError):
        row.write({"key": "0" * 40})
    assert env["res.users"].authenticate("handmade", key) == user.id


def test_users_see_and_revoke_only_their_own_keys(env):
    grant(env, "res.users.apikeys", "base.group_user", "ru")
    from .common import add_rule
    add_rule(env, "res.users.apikeys", "[('user_id', '=', user.id)]", ["base.group_user"])
    alice = make_user(env, "key-alice", ["base.group_user"])
    bob = make_user(env, "key-bob", ["base.group_user"])
    env(user=alice.id)["res.users.apikeys"]._generate("rpc", "alice's")
    env(user=bob.id)["res.users.apikeys"]._generate("rpc", "bob's")
    keys = env(user=alice.id)["res.users.apikeys"]
    assert keys.search([]).mapped("name") == ["alice's"]
    bobs = env["res.users.apikeys"].search([("user_id", "=", bob.id)])
    with pytest.raises(AccessError):
        bobs.with_user(alice)._remove()
    keys.search([])._remove()
    assert not env["res.users.apikeys"].search([("user_id", "=", alice.id)])
    with pytest.raises(AccessError):
        keys.search([]).read(["key"])


def test_uid_password_check_for_rpc(env):
    user = make_user(env, "rpc", ["base.group_user"], password="rpc-pass")
    users = env["res.users"]
    users._check_uid_password(user.id, "rpc-pass")
    users._check_uid_password(user.id, "rpc-pass")               # remembered: fast
    with pytest.raises(AccessDenied):
        users._check_uid_password(user.id, "wrong")
    user.write({"password": "changed"})
    with pytest.raises(AccessDenied):
        users._check_uid_password(user.id, "rpc-pass")            # the memo does not outlive a change
    key = env(user=user.id)["res.users.apikeys"]._generate("rpc", "rpc")
    users._check_uid_password(user.id, key)
    user.write({"active": False})
    with pytest.raises(AccessDenied):
        users._check_uid_password(user.id, "changed")
    with pytest.raises(AccessDenied):
        users._check_uid_password(999999, "changed")


def test_change_own_password(env):
    user = make_user(env, "changer", ["base.group_user"], password="before")
    users = env(user=user.id)["res.users"]
    with pytest.raises(AccessDenied):
        users.change_password("wrong", "after")
    users.change_password("before", "after")
    assert env["res.users"].authenticate("changer", "after") == user.id


def test_hash_helpers():
    hashed = security.hash_password("pw", rounds=1000)
    assert security.verify_password("pw", hashed)
    assert not security.verify_password("pW", hashed)
    assert not security.verify_password("pw", "pw")                # clear text is never a hash
    assert not security.verify_password("pw", "$pbkdf2-sha512$x$y$z")
    assert not security.verify_password("", hashed)
    assert security.needs_rehash(hashed)
    with pytest.raises(ValueError):
        security.hash_password("")
