from .contactus import ContactForm

CONTROLLERS = [ContactForm]
