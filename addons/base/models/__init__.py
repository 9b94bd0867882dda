# Load order matters only for readability: the registry resolves relations once all are loaded.
from . import ir_module
from . import ir_model
from . import ir_ui
from . import res_lang
from . import res_currency
from . import res_country
from . import res_partner
from . import res_company
from . import res_groups
from . import res_users
from . import ir_model_access
from . import ir_rule
from . import ir_sequence
from . import ir_config_parameter
from . import ir_attachment
from . import ir_cron
