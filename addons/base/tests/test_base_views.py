"""The views, actions and menus of the base addon: they install and validate, their
modifiers name fields the views carry, menus follow the user's groups, and a German
user reads them in German."""
import ast

from lxml import etree

from core import i18n
from core import views as view_tools
from core.api import Environment

EXPRESSIONS = view_tools.EXPRESSION_ATTRIBUTES


def base_records(env, model):
    """``{xml id: record}`` of the base addon's records of ``model``."""
    rows = env["ir.model.data"].search_read([("module", "=", "base"), ("model", "=", model)],
                                            ["name", "res_id"])
    return {f"base.{row['name']}": env[model].browse(row["res_id"]) for row in rows}


def as_user(env, xmlid, lang="en_US"):
    return Environment(env.cr, env.ref(xmlid).id, {"lang": lang})


def menu_paths(menus, prefix=""):
    """``{"Settings/Technical/User Interface/Views", ...}`` of a ``load_menus`` tree."""
    paths = set()
    for menu in menus:
        path = f"{prefix}{menu['name']}"
        paths.add(path)
        paths |= menu_paths(menu["children"], path + "/")
    return paths


def check_modifiers(env, model_name, node, label):
    """Every name a modifier or decoration reads is a field of the same (sub-)view: the
    client evaluates them with the values of the fields it shows, nothing else."""
    model = env[model_name]
    present = set()
    expressions = []

    def walk(element):
        for attribute, value in element.attrib.items():
            if attribute in EXPRESSIONS or attribute.startswith("decoration-"):
                expressions.append((attribute, value))
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field":
                present.add(child.get("name"))
                for attribute, value in child.attrib.items():
                    if attribute in EXPRESSIONS:
                        expressions.append((attribute, value))
                comodel = getattr(model._fields[child.get("name")], "comodel_name", None)
                for sub in child:
                    if isinstance(sub.tag, str) and sub.tag in view_tools.SUBVIEW_TAGS:
                        check_modifiers(env, comodel, sub, label)
            else:
                walk(child)

    walk(node)
    for attribute, expression in expressions:
        names = {name for name in view_tools.modifier_names(expression) if not name.startswith("parent.")}
        assert names <= present | {"id"}, f"{label}: {attribute}={expression!r} reads fields missing " \
                                          f"from the view: {sorted(names - present)}"


def test_every_base_view_assembles_validates_and_serves(installed_env):
    env = installed_env
    views = base_records(env, "ir.ui.view")
    assert {"base.view_partner_form", "base.view_partner_tree", "base.view_res_partner_filter",
            "base.view_users_form", "base.view_groups_form", "base.view_company_form",
            "base.view_view_form", "base.edit_menu_access", "base.view_window_action_form",
            "base.view_model_form", "base.ir_access_view_tree", "base.view_rule_form",
            "base.view_ir_config_list", "base.sequence_view", "base.ir_cron_view_form",
            "base.res_lang_form", "base.view_country_form", "base.view_currency_form",
            "base.view_partner_category_form"} <= set(views)
    for xmlid, view in sorted(views.items()):
        view._check_arch()   # raises a ViewError naming the view
        description = env["ir.ui.view"].get_view(view.model, view.type, view.id)
        assert description["id"] == view.id, xmlid
        root = etree.fromstring(description["arch"])
        assert root.tag == ("list" if view.type in ("list", "tree") else view.type), xmlid
        check_modifiers(env, view.model, root, xmlid)
        if view.type != "search":
            continue
        for node in root.iter("filter", "field"):
            if node.get("domain") or node.get("filter_domain"):
                ast.parse(node.get("domain") or node.get("filter_domain"), mode="eval")


def test_every_base_action_opens_views_of_its_model(installed_env):
    env = installed_env
    actions = base_records(env, "ir.actions.act_window")
    assert {"base.action_partner_form", "base.action_partner_category_form", "base.action_res_users",
            "base.action_res_groups", "base.action_res_company_form", "base.action_ui_view",
            "base.grant_menu_access", "base.ir_action_window", "base.action_model_model",
            "base.ir_access_act", "base.action_rule", "base.ir_config_list_action",
            "base.ir_sequence_form", "base.ir_cron_act", "base.res_lang_act_window",
            "base.action_country", "base.action_country_state",
            "base.action_currency_form"} <= set(actions)
    for xmlid, action in sorted(actions.items()):
        assert action.res_model in env, xmlid
        assert [mode.strip() for mode in action.view_mode.split(",")] == ["list", "form"], xmlid
        for view in (action.view_id, action.search_view_id):
            assert not view or view.model == action.res_model, xmlid
        search = env["ir.ui.view"].get_view(action.res_model, "search", action.search_view_id.id or None)
        names = {node.get("name") for node in etree.fromstring(search["arch"]).iter("filter", "field")}
        context = ast.literal_eval(action.context or "{}")
        for key in context:
            if key.startswith("search_default_"):
                assert key[len("search_default_"):] in names, f"{xmlid}: {key} names no filter"


def test_menus_open_base_actions(installed_env):
    env = installed_env
    menus = base_records(env, "ir.ui.menu")
    actions = {(action._name, action.id) for action in base_records(env, "ir.actions.act_window").values()}
    opened = set()
    for xmlid, menu in menus.items():
        if menu.action:
            model, _, res_id = menu.action.partition(",")
            assert (model, int(res_id)) in actions, f"{xmlid} opens {menu.action}"
            opened.add((model, int(res_id)))
    assert opened == actions   # every action of base has its menu
    assert env.ref("base.menu_contacts").sequence == 20 and not env.ref("base.menu_contacts").parent_id
    settings = env.ref("base.menu_administration")
    assert settings.sequence == 500 and settings.groups_id == env.ref("base.group_system")


def test_admin_sees_contacts_and_settings(installed_env):
    paths = menu_paths(as_user(installed_env, "base.user_admin")["ir.ui.menu"].load_menus())
    assert {"Contacts", "Contacts/Contacts", "Contacts/Configuration/Tags",
            "Contacts/Configuration/Localization/Countries",
            "Settings", "Settings/Users & Companies/Users", "Settings/Users & Companies/Groups",
            "Settings/Users & Companies/Companies", "Settings/Technical/User Interface/Views",
            "Settings/Technical/User Interface/Menu Items",
            "Settings/Technical/User Interface/Window Actions",
            "Settings/Technical/Database Structure/Models", "Settings/Technical/Security/Access Rights",
            "Settings/Technical/Security/Record Rules", "Settings/Technical/Parameters/System Parameters",
            "Settings/Technical/Sequences & Identifiers/Sequences",
            "Settings/Technical/Automation/Scheduled Actions",
            "Settings/Technical/Translations/Languages"} <= paths
    roots = [menu["name"] for menu in as_user(installed_env, "base.user_admin")["ir.ui.menu"].load_menus()]
    assert roots.index("Contacts") < roots.index("Settings")


def test_internal_user_sees_contacts_but_not_settings(installed_env):
    demo = as_user(installed_env, "base.user_demo")
    assert demo.user.has_group("base.group_user") and not demo.user.has_group("base.group_system")
    paths = menu_paths(demo["ir.ui.menu"].load_menus())
    assert "Contacts/Contacts" in paths
    assert not [path for path in paths if path.startswith("Settings")]
    assert "Contacts/Configuration" not in paths   # tags and countries are managed by others


def test_partner_form_speaks_german_to_a_german_user(installed_env):
    german = as_user(installed_env, "base.user_admin", "de_DE")["ir.ui.view"].get_view("res.partner", "form")
    english = as_user(installed_env, "base.user_admin")["ir.ui.view"].get_view("res.partner", "form")
    assert german["id"] == english["id"] == installed_env.ref("base.view_partner_form").id
    pages = [page.get("string") for page in etree.fromstring(german["arch"]).iter("page")]
    assert pages == ["Kontakte & Adressen", "Verkauf & Einkauf", "Interne Notizen"]
    assert [page.get("string") for page in etree.fromstring(english["arch"]).iter("page")] == \
        ["Contacts & Addresses", "Sales & Purchases", "Internal Notes"]
    root = etree.fromstring(german["arch"])
    assert root.get("string") == "Kontakt"
    assert root.find(".//field[@name='street']").get("placeholder") == "Straße …"
    assert root.find(".//group[@name='address']").get("string") == "Adresse"
    # names, expressions and domains are never translated
    assert root.find(".//field[@name='name']").get("required") == "type == 'contact'"
    # labels without string come from fields_get, in German too
    assert german["fields"]["parent_id"]["string"] == "Zugehöriges Unternehmen"
    assert german["fields"]["city"]["string"] == "Ort"
    assert english["fields"]["city"]["string"] == "City"


def test_search_and_list_views_speak_german(installed_env):
    views = as_user(installed_env, "base.user_admin", "de_DE")["ir.ui.view"]
    search = etree.fromstring(views.get_view("res.partner", "search")["arch"])
    filters = {node.get("name"): node.get("string") for node in search.iter("filter")}
    assert filters["type_person"] == "Einzelpersonen" and filters["type_company"] == "Unternehmen"
    assert filters["inactive"] == "Archiviert" and filters["salesperson"] == "Vertriebsmitarbeiter"
    assert search.find("group").get("string") == "Gruppieren nach"
    attachments = etree.fromstring(views.get_view("ir.attachment", "list")["arch"])
    assert attachments.find("field[@name='file_size']").get("sum") == "Gesamtgröße"


def test_menus_and_actions_are_german_for_a_german_user(installed_env):
    german = as_user(installed_env, "base.user_admin", "de_DE")
    paths = menu_paths(german["ir.ui.menu"].load_menus())
    assert {"Kontakte/Kontakte", "Kontakte/Konfiguration/Schlagwörter",
            "Einstellungen/Benutzer & Unternehmen/Benutzer",
            "Einstellungen/Technisch/Benutzeroberfläche/Ansichten",
            "Einstellungen/Technisch/Automatisierung/Geplante Aktionen"} <= paths
    action = german.ref("base.action_partner_form")
    assert action.name == "Kontakte"
    assert "Legen Sie einen Kontakt in Ihrem Adressbuch an" in action.read_action()["help"]
    assert installed_env.ref("base.action_partner_form").name == "Contacts"


def test_every_term_of_base_views_has_a_german_translation(installed_env):
    terms = i18n.addon_terms("base", "de_DE").model_terms
    missing = []
    for xmlid, view in sorted(base_records(installed_env, "ir.ui.view").items()):
        translated = terms.get(("ir.ui.view", "arch_db", xmlid), {})
        missing += [f"{xmlid}: {term!r}" for term in view_tools.arch_terms(view.arch_db)
                    if term not in translated]
    assert not missing, "run `python server.py i18n export base` and translate:\n" + "\n".join(missing)


def test_german_views_cost_one_query_more_to_build(installed_env):
    cr = installed_env.cr
    installed_env.registry.shared_cache.invalidate(cr)   # this transaction builds every answer
    german = as_user(installed_env, "base.user_admin", "de_DE")["ir.ui.view"]
    english = as_user(installed_env, "base.user_admin")["ir.ui.view"]
    for views in (german, english):
        views.get_view("res.partner", "form")          # the ORM's caches warm
    start = cr.sql_count
    english.get_view("res.partner", "form")
    english_count = cr.sql_count - start
    start = cr.sql_count
    german.get_view("res.partner", "form")
    assert cr.sql_count - start == english_count + 1   # the xml ids of the views, once


def test_kept_views_stay_in_their_language(installed_env):
    german = as_user(installed_env, "base.user_admin", "de_DE")["ir.ui.view"]
    english = as_user(installed_env, "base.user_admin")["ir.ui.view"]

    def notes(views):
        arch = etree.fromstring(views.get_view("res.partner", "form")["arch"])
        return arch.find(".//page[@name='internal_notes']").get("string")

    assert [notes(english), notes(german), notes(english), notes(german)] == \
        ["Internal Notes", "Interne Notizen", "Internal Notes", "Interne Notizen"]
