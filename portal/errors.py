"""Exceptions services raise. Views and the API translate them: ActionError -> 400,
Forbidden -> 403, Conflict -> 409 (a lost race), NotFound -> 404."""


class ActionError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message, code: str | None = None, fields: dict | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = {
            k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
            for k, v in (fields or {}).items()
        }


class Forbidden(ActionError):
    status_code = 403
    default_code = "forbidden"


class Conflict(ActionError):
    status_code = 409
    default_code = "conflict"


class NotFound(ActionError):
    status_code = 404
    default_code = "not_found"
