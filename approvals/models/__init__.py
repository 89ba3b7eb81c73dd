from .register import BusinessCategory, Material, Matter

__all__ = ["BusinessCategory", "Material", "Matter"]
