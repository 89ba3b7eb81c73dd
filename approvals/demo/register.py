def seed() -> None:
    """Demo data of this area (idempotent)."""
