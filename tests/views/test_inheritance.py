"""apply_inheritance: every position, the shorthand locators, and the errors that name the view."""
import pytest
from lxml import etree

from core.views import ViewError, apply_inheritance

BASE = """<form>
  <header><button name="action_confirm" string="Confirm"/></header>
  <sheet>
    <group name="main" class="a b">
      <field name="name" invisible="state == 'done'"/>
      <field name="email"/>
    </group>
    <group name="other">
      <field name="phone"/>
    </group>
  </sheet>
</form>"""


def names(arch):
    return [node.get("name") for node in etree.fromstring(arch).iter("field")]


def apply(extension):
    return apply_inheritance(BASE, extension, "test.view_ext")


def test_xpath_after_before_inside():
    assert names(apply("""<xpath expr="//field[@name='name']" position="after">
        <field name="ref"/><field name="vat"/></xpath>""")) == ["name", "ref", "vat", "email", "phone"]
    assert names(apply("""<xpath expr="//field[@name='email']" position="before">
        <field name="ref"/></xpath>""")) == ["name", "ref", "email", "phone"]
    assert names(apply("""<xpath expr="//group[@name='main']" position="inside">
        <field name="ref"/></xpath>""")) == ["name", "email", "ref", "phone"]
    # inside is the default position
    assert names(apply("""<xpath expr="//group[@name='other']"><field name="ref"/></xpath>""")) == \
        ["name", "email", "phone", "ref"]


def test_xpath_replace_and_delete_and_inner():
    assert names(apply("""<xpath expr="//field[@name='email']" position="replace">
        <field name="ref"/></xpath>""")) == ["name", "ref", "phone"]
    assert names(apply("""<xpath expr="//field[@name='email']" position="replace"/>""")) == ["name", "phone"]
    result = etree.fromstring(apply("""<xpath expr="//group[@name='main']" position="replace" mode="inner">
        <field name="ref"/></xpath>"""))
    group = result.find(".//group[@name='main']")
    assert group.get("class") == "a b" and [f.get("name") for f in group] == ["ref"]


def test_replace_root():
    assert apply("""<xpath expr="/form" position="replace"><form><field name="ref"/></form></xpath>""") == \
        '<form><field name="ref"/></form>'


def test_attributes_set_remove_add_and_separators():
    result = etree.fromstring(apply("""<data>
        <field name="email" position="attributes">
            <attribute name="required">1</attribute>
            <attribute name="string">Mail</attribute>
        </field>
        <field name="name" position="attributes"><attribute name="invisible"/></field>
        <group name="main" position="attributes">
            <attribute name="class" add="c d" remove="a" separator=" "/>
        </group>
        <group name="other" position="attributes">
            <attribute name="tags" add="x,y"/>
        </group>
    </data>"""))
    email = result.find(".//field[@name='email']")
    assert (email.get("required"), email.get("string")) == ("1", "Mail")
    assert "invisible" not in result.find(".//field[@name='name']").attrib
    assert result.find(".//group[@name='main']").get("class") == "b c d"
    assert result.find(".//group[@name='other']").get("tags") == "x,y"
    again = apply_inheritance(etree.tostring(result, encoding="unicode"),
                              '<group name="other" position="attributes"><attribute name="tags" add="z" '
                              'remove="x"/></group>', "v")
    assert etree.fromstring(again).find(".//group[@name='other']").get("tags") == "y,z"


def test_attributes_on_expressions_combine_with_and_or():
    result = etree.fromstring(apply("""<field name="name" position="attributes">
        <attribute name="invisible" add="not email" separator="or"/></field>"""))
    assert result.find(".//field[@name='name']").get("invisible") == "(state == 'done') or (not email)"
    with pytest.raises(ViewError, match="must be 'and' or 'or'"):
        apply("""<field name="name" position="attributes">
            <attribute name="invisible" add="not email" separator=","/></field>""")


def test_move():
    assert names(apply("""<field name="phone" position="after">
        <field name="name" position="move"/></field>""")) == ["email", "phone", "name"]
    assert names(apply("""<xpath expr="//group[@name='main']" position="inside">
        <field name="phone" position="move"/></xpath>""")) == ["name", "email", "phone"]
    result = etree.fromstring(apply("""<xpath expr="//group[@name='main']" position="inside">
        <field name="phone" position="move"/></xpath>"""))
    assert len(result.find(".//group[@name='other']")) == 0


def test_shorthand_locators_match_tag_and_attributes():
    assert names(apply('<field name="email" position="after"><field name="ref"/></field>')) == \
        ["name", "email", "ref", "phone"]
    assert names(apply('<group name="other" position="inside"><field name="ref"/></group>')) == \
        ["name", "email", "phone", "ref"]
    result = etree.fromstring(apply('<button name="action_confirm" position="after"><button name="x"/></button>'))
    assert [b.get("name") for b in result.iter("button")] == ["action_confirm", "x"]
    # the root itself can be the locator
    assert names(apply('<form position="inside"><field name="ref"/></form>'))[-1] == "ref"


def test_several_specs_in_data_apply_in_order():
    assert names(apply("""<data>
        <field name="name" position="after"><field name="ref"/></field>
        <field name="ref" position="after"><field name="vat"/></field>
    </data>""")) == ["name", "ref", "vat", "email", "phone"]


def test_failing_locator_names_view_locator_and_line():
    with pytest.raises(ViewError) as info:
        apply("""<data>
            <field name="name" position="after"><field name="ref"/></field>
            <xpath expr="//field[@name='nope']" position="after"><field name="vat"/></xpath>
        </data>""")
    message = str(info.value)
    assert "test.view_ext" in message
    assert """<xpath expr="//field[@name='nope']" position="after">""" in message
    assert "line 3" in message
    with pytest.raises(ViewError, match=r'test.view_ext.*<field name="nope" position="after">'):
        apply('<field name="nope" position="after"><field name="ref"/></field>')
    with pytest.raises(ViewError, match=r"test.view_ext.*move.*<field name=\"nope\" position=\"move\">"):
        apply('<field name="name" position="after"><field name="nope" position="move"/></field>')


def test_invalid_position_and_bad_xpath_are_errors():
    with pytest.raises(ViewError, match="invalid position 'sideways'"):
        apply('<field name="name" position="sideways"/>')
    with pytest.raises(ViewError, match="invalid xpath"):
        apply('<xpath expr="//[" position="after"/>')


def test_element_input_gives_element_output():
    result = apply_inheritance(etree.fromstring(BASE), '<field name="name" position="replace"/>', "v")
    assert isinstance(result, etree._Element)
    assert [f.get("name") for f in result.iter("field")] == ["email", "phone"]
