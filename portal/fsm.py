"""django-fsm's optimistic lock with the model's state fields found once per class."""

from django_fsm import ConcurrentTransitionMixin as _ConcurrentTransitionMixin
from django_fsm import FSMFieldMixin


class ConcurrentTransitionMixin(_ConcurrentTransitionMixin):
    """django-fsm's ConcurrentTransitionMixin, which notes each instance's states as it is made
    and found the state fields by a walk of every field of the model each time (a tenth of the
    cost of making an Application from a row; 50 of them on a queue page)."""

    @property
    def state_fields(self):
        cls = type(self)
        found = cls.__dict__.get("_fsm_state_fields")
        if found is None:
            found = tuple(f for f in self._meta.fields if isinstance(f, FSMFieldMixin))
            cls._fsm_state_fields = found
        return found
