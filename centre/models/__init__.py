from .duty import DispatcherDuty, Handover
from .press import Press

__all__ = ["DispatcherDuty", "Handover", "Press"]
