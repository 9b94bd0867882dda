from . import gadget, res_partner
