from django import template
from django.utils.html import json_script

from portal import outbox

register = template.Library()


@register.simple_tag
def outbox_texts():
    """The outbox scripts' texts in the person's language, as a JSON data block."""
    return json_script(outbox.texts(), "outbox-texts")
