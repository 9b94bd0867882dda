from . import crm_team, crm_stage, crm_tag, crm_lead, crm_lead_convert, crm_lead_mail, crm_lead_lost
from . import crm_lead_wizards, crm_phonecall, crm_web_submission, crm_lead_analysis, res_partner
