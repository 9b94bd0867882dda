from . import book
from . import res_partner
