"""XML and CSV data files: values, references, noupdate, edits by users, located errors."""
import pytest

import addons.base  # noqa: F401  (registers the base models' definitions)
from core.api import SUPERUSER_ID, Environment
from core.models import DEFINITIONS
from core.modules.data import DataFileError, DataLoader
from core.registry import Registry


@pytest.fixture
def env(db_uri):
    registry = Registry.new(db_uri, [d for d in DEFINITIONS if d._module == "base"])
    cr = registry.cursor()
    yield Environment(cr, SUPERUSER_ID, {})
    cr.close()  # rolled back: the base data (and its superuser) is not loaded here
    registry.engine.dispose()


def load(env, tmp_path, name, text, mode="init", noupdate=False):
    (tmp_path / name).write_text(text)
    loader = DataLoader(env, "tdata", str(tmp_path), mode, {"base", "tdata"}, noupdate=noupdate)
    loader.load_file(name)
    return loader


PARTNERS = """<?xml version="1.0"?>
<odoo>
    <record id="acme" model="res.partner">
        <field name="name">ACME</field>
        <field name="is_company" eval="True"/>
        <field name="credit_limit">1500.5</field>
        <field name="comment" type="html"><p>Big <b>client</b></p></field>
        <field name="child_ids">
            <record id="acme_bob" model="res.partner"><field name="name">Bob</field></record>
        </field>
    </record>
    <record id="acme_ann" model="res.partner">
        <field name="name">Ann</field>
        <field name="parent_id" ref="acme"/>
        <field name="category_id" eval="[Command.create({'name': 'VIP'})]"/>
    </record>
</odoo>"""


def test_records_fields_and_references(env, tmp_path):
    loader = load(env, tmp_path, "partners.xml", PARTNERS)
    acme = env.ref("tdata.acme")
    assert acme.is_company and acme.credit_limit == 1500.5
    assert acme.comment == "<p>Big <b>client</b></p>"
    assert acme.child_ids.mapped("name") == ["Ann", "Bob"]  # by complete name
    ann = env.ref("tdata.acme_ann")
    assert ann.parent_id == acme and ann.category_id.mapped("name") == ["VIP"]
    assert loader.count == 3
    data = env["ir.model.data"].search([("module", "=", "tdata")])
    assert sorted(data.mapped("name")) == ["acme", "acme_ann", "acme_bob"]


def test_update_rewrites_records_unless_noupdate(env, tmp_path):
    load(env, tmp_path, "p.xml", """<odoo>
        <record id="a" model="res.partner"><field name="name">A</field></record>
        <data noupdate="1"><record id="b" model="res.partner"><field name="name">B</field></record></data>
    </odoo>""")
    load(env, tmp_path, "p.xml", """<odoo>
        <record id="a" model="res.partner"><field name="name">A2</field></record>
        <data noupdate="1"><record id="b" model="res.partner"><field name="name">B2</field></record></data>
    </odoo>""", mode="update")
    assert env.ref("tdata.a").name == "A2"
    assert env.ref("tdata.b").name == "B"


def test_update_leaves_records_edited_by_users(env, tmp_path):
    text = """<odoo><record id="a" model="res.partner"><field name="name">{}</field>
              <field name="city">Bonn</field></record></odoo>"""
    load(env, tmp_path, "p.xml", text.format("A"))
    env.ref("tdata.a").write({"city": "Köln"})          # a user's change
    loader = load(env, tmp_path, "p.xml", text.format("A2"), mode="update")
    record = env.ref("tdata.a")
    assert (record.name, record.city) == ("A", "Köln")
    assert loader.skipped == [("tdata.a", "edited since it was loaded")]
    # once the file and the record agree again, updates flow
    load(env, tmp_path, "p.xml", text.format("A3"), mode="update")
    assert env.ref("tdata.a").name == "A"


def test_csv_with_external_and_database_ids(env, tmp_path):
    load(env, tmp_path, "res.partner.category.csv", "id,name,color\ntag_a,Alpha,3\ntag_b,Beta,\n")
    load(env, tmp_path, "res.partner.csv",
         "id,name,category_id:id,is_company\np1,Firm,\"tag_a,tag_b\",1\np2,Person,,0\n")
    firm = env.ref("tdata.p1")
    assert firm.is_company and sorted(firm.category_id.mapped("name")) == ["Alpha", "Beta"]
    assert env.ref("tdata.tag_a").color == 3 and env.ref("tdata.tag_b").color == 0


def test_menuitems_nest_and_take_the_action_name(env, tmp_path):
    load(env, tmp_path, "menus.xml", """<odoo>
        <record id="act" model="ir.actions.act_window">
            <field name="name">Contacts</field><field name="res_model">res.partner</field>
        </record>
        <menuitem id="root" name="Root" sequence="3">
            <menuitem id="child" action="act"/>
        </menuitem>
    </odoo>""")
    child = env.ref("tdata.child")
    assert child.name == "Contacts" and child.parent_id == env.ref("tdata.root")
    assert child.action == f"ir.actions.act_window,{env.ref('tdata.act').id}"


def test_delete_and_function(env, tmp_path):
    load(env, tmp_path, "a.xml", """<odoo>
        <record id="x" model="res.partner"><field name="name">X</field></record>
        <record id="y" model="res.partner"><field name="name">Y</field></record>
        <function model="res.partner" name="write" eval="[[ref('y')], {'city': 'Ulm'}]"/>
        <delete model="res.partner" id="x"/>
    </odoo>""")
    assert env["ir.model.data"]._xmlid_to_record("tdata.x", raise_if_not_found=False) is None
    assert env.ref("tdata.y").city == "Ulm"


@pytest.mark.parametrize("text,message", [
    ("<odoo><record id='r' model='no.such'/></odoo>", r"tdata/bad.xml:1: r: unknown model 'no.such'"),
    ("<odoo>\n<record id='r' model='res.partner'>\n<field name='nope'>1</field></record></odoo>",
     r"tdata/bad.xml:3: r: model res.partner has no field 'nope'"),
    ("<odoo>\n\n<record id='r' model='res.partner'><field name='parent_id' ref='missing'/></record></odoo>",
     r"tdata/bad.xml:3: missing: external id 'tdata.missing' not found"),
    ("<odoo><record id='r' model='res.partner'><field name='name' eval=\"__import__('os')\"/></record></odoo>",
     r"tdata/bad.xml:1: r: .*not allowed"),
    ("<odoo><record id='r' model='res.partner'><field name='name' eval=\"open('x')\"/></record></odoo>",
     r"tdata/bad.xml:1: r: unknown name 'open'"),
    ("<odoo><record id='r' model='res.partner'><field name='city'>x</field></record></odoo>",
     r"tdata/bad.xml:1: r: ValidationError: .*name"),
    ("<odoo><record id='other.r' model='res.partner'/></odoo>", r"addon 'other' is not installed"),
    ("<odoo><record id='r' model='res.partner'>", r"tdata/bad.xml:1: malformed XML"),
    ("<odoo><recrod id='r'/></odoo>", r"tdata/bad.xml:1: r: unknown element <recrod>"),
])
def test_errors_name_file_line_and_xmlid(env, tmp_path, text, message):
    with pytest.raises(DataFileError, match=message):
        load(env, tmp_path, "bad.xml", text)


def test_csv_errors_name_the_line(env, tmp_path):
    with pytest.raises(DataFileError, match=r"tdata/res.partner.csv:3: .*'abc' is not a number"):
        load(env, tmp_path, "res.partner.csv", "id,name,color\na,A,1\nb,B,abc\n")
    with pytest.raises(DataFileError, match=r"tdata/res.partner.csv:1: column 'colour'"):
        load(env, tmp_path, "res.partner.csv", "id,name,colour\na,A,1\n")


def test_expressions_see_the_user_but_not_the_database(env, tmp_path):
    load(env, tmp_path, "u.xml", """<odoo>
        <record id="p" model="res.partner"><field name="name" eval="'by %s' % user.id"/></record>
    </odoo>""")
    assert env.ref("tdata.p").name == "by 1"
    with pytest.raises(DataFileError, match="has no attribute 'env'|not allowed"):
        load(env, tmp_path, "bad.xml", """<odoo>
            <record id="q" model="res.partner"><field name="name" eval="user.env.cr"/></record>
        </odoo>""")
