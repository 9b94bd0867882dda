"""Model base classes; this package only re-exports them."""
from .base import DEFINITIONS, AbstractModel, BaseModel, Model, TransientModel
from .compute import NewId

__all__ = ["AbstractModel", "BaseModel", "DEFINITIONS", "Model", "NewId", "TransientModel"]
