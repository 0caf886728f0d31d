"""config.xml of Radarr and Prowlarr (the Servarr apps), edited without a third-party XML library.

The file is one <Config> element with one child per setting (ConfigFileProvider.cs). Setting a key replaces
that child's text, or adds the child before </Config>; everything else the app wrote stays byte for byte.
"""
from __future__ import annotations

import re
from typing import Any, Mapping
from xml.sax.saxutils import escape, unescape

from ansible.errors import AnsibleFilterError


def _element(key: str) -> re.Pattern[str]:
    return re.compile(r"<%s\s*/>|<%s>([^<]*)</%s>" % ((re.escape(key),) * 3))


def servarr_config_value(text: str | None, key: str) -> str:
    """The text of <key> in config.xml, '' when the file or the element is missing or empty."""
    match = _element(key).search(text or "")
    return unescape(match.group(1) or "").strip() if match else ""


def servarr_config_set(text: str | None, settings: Mapping[str, Any]) -> str:
    """config.xml with every key of `settings` set; a new minimal file when `text` is empty."""
    text = text if text and text.strip() else "<Config>\n</Config>\n"
    if "</Config>" not in text:
        raise AnsibleFilterError("servarr_config_set: the file has no </Config>; not a Servarr config.xml")
    for key, value in settings.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", str(key)):
            raise AnsibleFilterError("servarr_config_set: %r is not a config.xml setting name" % (key,))
        element = "<%s>%s</%s>" % (key, escape(str(value)), key)
        pattern = _element(str(key))
        if pattern.search(text):
            text = pattern.sub(lambda _match, new=element: new, text, count=1)
        else:
            text = text.replace("</Config>", "  %s\n</Config>" % element, 1)
    return text


class FilterModule:
    def filters(self) -> dict:
        return {"servarr_config_value": servarr_config_value, "servarr_config_set": servarr_config_set}
