from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from portal.models import User


class UsernameOrMobileBackend(ModelBackend):
    """Citizens log in with their mobile number or user name."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = User.objects.filter(Q(username=username) | Q(mobile=username)).order_by("id").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
