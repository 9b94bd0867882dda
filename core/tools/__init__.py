"""Small helpers shared by the framework."""
from ..i18n import translate

__all__ = ["translate"]
