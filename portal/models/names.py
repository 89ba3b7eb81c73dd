from django.utils.translation import get_language


def localized_name(chinese: str, english: str = "") -> str:
    """Reference data is Chinese; an English name, where given, is shown on English pages."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese
