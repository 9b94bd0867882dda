"""UTM trackers: the default mediums and sources, unique names, the mixin's fields."""
import pytest

from core.api import SUPERUSER_ID, Environment
from core.exceptions import ValidationError
from core.modules import ModuleManager


@pytest.fixture
def env(tmp_path, installed_template):
    from tests.plugin import _new_database
    uri, drop = _new_database(tmp_path, installed_template(("utm",)))
    manager = ModuleManager(uri)
    cr = manager.open().cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.close()
        manager.engine.dispose()
        drop()


def test_default_mediums_and_sources(env):
    assert env.ref("utm.utm_medium_email").name == "Email"
    assert env.ref("utm.utm_source_newsletter").name == "Newsletter"


def test_names_are_unique(env):
    env["utm.campaign"].create({"name": "Spring fair 2027"})
    with pytest.raises(ValidationError, match="campaign of this name already exists"):
        env["utm.campaign"].create({"name": "Spring fair 2027"})


def test_the_mixin_carries_the_three_trackers(env):
    fields = env.registry.models["utm.mixin"]._fields
    assert {"campaign_id", "source_id", "medium_id"} <= set(fields)
    assert fields["campaign_id"].comodel_name == "utm.campaign"
