"""Per area: register, applications, hall, evaluations."""
