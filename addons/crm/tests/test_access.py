"""Who sees which leads: salespeople their own, unassigned ones and their led teams';
managers all; everyone else none."""
import pytest

from core.exceptions import AccessError

from .conftest import make_user


@pytest.fixture
def leads(env, sales_users):
    salesman, other, leader, manager, team = sales_users
    Lead = env["crm.lead"].with_context(default_type="opportunity")
    other_team = env["crm.team"].create({"name": "Elsewhere"})
    return {
        "own": Lead.create({"name": "own", "user_id": salesman.id, "team_id": team.id}),
        "unassigned": Lead.create({"name": "unassigned", "user_id": False, "team_id": team.id}),
        "colleague": Lead.create({"name": "colleague", "user_id": other.id, "team_id": team.id}),
        "foreign": Lead.create({"name": "foreign", "user_id": manager.id, "team_id": other_team.id}),
    }


def visible(env, user, leads):
    ids = [lead.id for lead in leads.values()]
    return set(env["crm.lead"].with_user(user).search([("id", "in", ids)]).mapped("name"))


def test_a_salesperson_sees_own_and_unassigned_leads(env, sales_users, leads):
    salesman = sales_users[0]
    assert visible(env, salesman, leads) == {"own", "unassigned"}
    with pytest.raises(AccessError):
        leads["colleague"].with_user(salesman).read(["name"])
    with pytest.raises(AccessError):
        leads["colleague"].with_user(salesman).write({"name": "taken"})


def test_a_team_leader_sees_the_team(env, sales_users, leads):
    leader = sales_users[2]
    assert visible(env, leader, leads) == {"own", "unassigned", "colleague"}
    leads["colleague"].with_user(leader).write({"expected_revenue": 500.0})
    assert leads["colleague"].expected_revenue == 500.0


def test_a_manager_sees_everything(env, sales_users, leads):
    manager = sales_users[3]
    assert visible(env, manager, leads) == {"own", "unassigned", "colleague", "foreign"}
    leads["foreign"].with_user(manager).unlink()


def test_salespeople_cannot_delete_leads_nor_configure_stages(env, sales_users, leads):
    salesman = sales_users[0]
    with pytest.raises(AccessError):
        leads["own"].with_user(salesman).unlink()
    with pytest.raises(AccessError):
        env["crm.stage"].with_user(salesman).create({"name": "Mine"})


def test_an_employee_without_a_sales_group_sees_no_lead(env, leads):
    clerk = make_user(env, "clerk")
    with pytest.raises(AccessError):
        env["crm.lead"].with_user(clerk).search([])


def test_a_salesperson_may_create_a_lead_for_himself(env, sales_users):
    salesman = sales_users[0]
    lead = env["crm.lead"].with_user(salesman).create({"name": "Fresh"})
    assert lead.user_id == salesman


def test_an_employee_without_sales_rights_still_reads_contacts(env, leads):
    """The crm's fields on contacts are for salespeople: reading a contact whole works for others."""
    clerk = make_user(env, "reader")
    partner = env["res.partner"].create({"name": "Plain contact"})
    values = partner.with_user(clerk).read()[0]
    assert values["name"] == "Plain contact"
    assert "opportunity_count" not in values and "phonecall_count" not in values
