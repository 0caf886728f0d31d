# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""qBittorrent's preferences as its WebUI API really treats them (4.5 to 5.x).

Read from qBittorrent's AppController::preferencesAction / setPreferencesAction: which keys take which types,
in which form a value is stored (cleaned paths, sorted IP lists, parsed subnets), which keys only take effect
together, which are derived, and which hold secrets. `plan()` turns the declared keys and the server's
current preferences into the request that reaches the declared state, or into every problem at once.
"""
from __future__ import annotations

import ipaddress
import re
from difflib import get_close_matches
from typing import Any, Callable, Iterable, Optional

from ansible.module_utils.mediastack.qbittorrent import clean_path
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

SECRET_KEYS = frozenset(
    ("web_ui_password", "proxy_password", "mail_notification_password", "dyndns_password", "web_ui_api_key"))
# Accepted by setPreferences but never returned by preferences; compared with the login password instead.
WRITE_ONLY_KEYS = frozenset(("web_ui_password",))
# Returned by preferences but derived by qBittorrent from another key, which is the one to set.
READ_ONLY_KEYS = {"current_interface_name": "current_network_interface", "add_trackers_url_list": "add_trackers_url"}
# After these change the WebUI listens on a new socket: reading back on the old one would fail.
REBIND_KEYS = frozenset(("web_ui_port", "web_ui_address", "use_https", "web_ui_https_cert_path",
                         "web_ui_https_key_path"))
# qreal on the server: JSON carries a whole one as an integer (1.0 is written 1).
FLOAT_KEYS = frozenset(("max_ratio",))
# Stored through qBittorrent's Path, i.e. QDir::cleanPath: no trailing '/', no '//', no '.' or '..' parts.
PATH_KEYS = frozenset(("save_path", "temp_path", "export_dir", "export_dir_fin", "ip_filter_path",
                       "web_ui_https_cert_path", "web_ui_https_key_path", "alternative_webui_path", "file_log_path",
                       "python_executable_path"))
# Stored trimmed (web_ui_address on read; the autorun programs on 5.x).
TRIMMED_KEYS = frozenset(("web_ui_address", "autorun_program", "autorun_on_torrent_added_program"))
# Newline-separated lists: a YAML list is accepted and joined.
LINE_KEYS = frozenset(("excluded_file_names", "rss_smart_episode_filters", "banned_IPs",
                       "bypass_auth_subnet_whitelist", "add_trackers", "web_ui_custom_http_headers"))
# One address, stored as QHostAddress prints it (an invalid one silently becomes empty).
ADDRESS_KEYS = frozenset(("announce_ip", "current_interface_address"))
# Enumerations taken by name (Utils::String::toEnum: an unknown name silently becomes the default).
ENUM_CHOICES = {
    "torrent_content_layout": ("Original", "Subfolder", "NoSubfolder"),
    "torrent_stop_condition": ("None", "MetadataReceived", "FilesChecked"),
    "resume_data_storage_type": ("Legacy", "SQLite"),
    "torrent_content_remove_option": ("Delete", "MoveToTrash"),
    # 5.x names it; 4.x numbers it (0 None, 1 HTTP, 2 SOCKS5, 3 HTTP_PW, 4 SOCKS5_PW, 5 SOCKS4).
    "proxy_type": ("None", "HTTP", "SOCKS5", "SOCKS4"),
}
_PORT = (0, 65535)
RANGES = {
    "listen_port": _PORT, "proxy_port": _PORT, "embedded_tracker_port": _PORT, "ssl_listen_port": _PORT,
    "announce_port": _PORT, "outgoing_ports_min": _PORT, "outgoing_ports_max": _PORT, "web_ui_port": (1, 65535),
    "schedule_from_hour": (0, 23), "schedule_to_hour": (0, 23), "schedule_from_min": (0, 59),
    "schedule_to_min": (0, 59),
}
# A limit and its switch: setPreferences reads the limit only when the switch is in the same request (and
# takes 0 when the limit is missing); preferences reports the switch as "limit >= 0" and the limit as -1 when off.
LIMIT_PAIRS = (("max_ratio_enabled", "max_ratio"), ("max_seeding_time_enabled", "max_seeding_time"),
               ("max_inactive_seeding_time_enabled", "max_inactive_seeding_time"))
# Keys that setPreferences applies only when both are in the request.
TOGETHER = (("schedule_from_hour", "schedule_from_min"), ("schedule_to_hour", "schedule_to_min"))
# random_port (deprecated) is "listen_port is 0": it is sent as that.
RANDOM_PORT, LISTEN_PORT = "random_port", "listen_port"


def _lines(value: str, separators: str = "\n") -> list[str]:
    return [part.strip() for part in re.split("[%s]" % re.escape(separators), value) if part.strip()]


def _address_set(value: str) -> frozenset:
    return frozenset(ipaddress.ip_address(part) for part in _lines(value))


def _subnet_set(value: str) -> frozenset:
    # qBittorrent splits the whitelist on newlines and commas and drops what does not parse.
    return frozenset(ipaddress.ip_network(part, strict=False) for part in _lines(value, "\n,"))


def _address(value: str) -> str:
    return str(ipaddress.ip_address(value.strip())) if value.strip() else ""


def _scan_dirs(value: dict) -> dict:
    """Watched folders: folder -> 0 (save into the folder), 1 (default save path) or another save path."""
    canonical = {}
    for folder, target in value.items():
        folder = clean_path(str(folder))
        if isinstance(target, str):
            target = clean_path(target)
            # preferences reports a save path equal to the folder as 0.
            target = 0 if target == folder else target
        canonical[folder] = target
    return canonical


# Per-key comparison forms: what the server would store for a value, so that equal means "no change".
_FORMS: dict[str, Callable[[Any], Any]] = dict(
    dict.fromkeys(PATH_KEYS, clean_path),
    **dict.fromkeys(TRIMMED_KEYS, str.strip),
    **dict.fromkeys(ADDRESS_KEYS, _address),
    banned_IPs=_address_set,
    bypass_auth_subnet_whitelist=_subnet_set,
    scan_dirs=_scan_dirs,
)


def canonical(key: str, value: Any) -> Any:
    """`value` in the form the server stores it under `key` (numbers as floats, bools as bools)."""
    form = _FORMS.get(key)
    if form is not None and value is not None:
        try:
            return form(value)
        except (ValueError, TypeError, AttributeError):
            return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def shown(key: str, value: Any) -> str:
    """A value for a message: a secret is never shown, whatever its type."""
    if key in SECRET_KEYS:
        return "(a %s, not shown: secret)" % type(value).__name__
    return repr(value)


class PreferencesError(Exception):
    """Every problem with the declared preferences, found before anything was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _type_name(current: Any) -> str:
    if isinstance(current, bool):
        return "a boolean"
    if isinstance(current, float):
        return "a number"
    if isinstance(current, int):
        return "a whole number"
    if isinstance(current, dict):
        return "a mapping"
    return "a string"


def conform(key: str, value: Any, current: Any) -> Any:
    """`value` in the type qBittorrent takes for `key` (known from its current value), or ValueError."""
    expected = current
    if key in WRITE_ONLY_KEYS or (current is None and key in SECRET_KEYS):
        expected = ""
    if expected is None:
        return value
    if key in FLOAT_KEYS:
        expected = 0.0
    if isinstance(expected, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in BOOLEANS_TRUE | BOOLEANS_FALSE:
            return value.lower() in BOOLEANS_TRUE
    elif isinstance(expected, (int, float)):
        number = _number(value)
        if number is not None:
            if isinstance(expected, float):
                return float(number)
            if float(number).is_integer():
                return int(number)
            raise ValueError("preferences.%s must be a whole number, got %s" % (key, shown(key, value)))
    elif isinstance(expected, dict):
        if isinstance(value, dict):
            return value
    elif isinstance(value, str):
        return value
    elif key in LINE_KEYS and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        # A YAML number where a string is taken (a numeric password, a port in an address): its digits.
        return str(value)
    hint = " (quote it in YAML)" if isinstance(value, (bool, float)) and isinstance(expected, str) else ""
    raise ValueError("preferences.%s must be %s%s, got %s%s" % (
        key, _type_name(expected), "" if key in SECRET_KEYS else " like the server's %r" % (current,),
        shown(key, value), hint))


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value, 10)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _check_form(key: str, value: Any, current: dict[str, Any]) -> Optional[str]:
    """What is wrong with a conformed value that qBittorrent would silently drop or change, if anything."""
    if key in ENUM_CHOICES and isinstance(current.get(key), str) and value not in ENUM_CHOICES[key]:
        return "preferences.%s must be one of %s (case matters), got %r" % (key, ", ".join(ENUM_CHOICES[key]), value)
    if key in RANGES and isinstance(value, int):
        low, high = RANGES[key]
        if not low <= value <= high:
            return "preferences.%s must be between %d and %d, got %d" % (key, low, high, value)
    if key == "banned_IPs":
        bad = [part for part in _lines(value) if not _valid(ipaddress.ip_address, part)]
        if bad:
            return "preferences.banned_IPs: not IP addresses (qBittorrent would drop them): %s" % ", ".join(bad)
    if key == "bypass_auth_subnet_whitelist":
        bad = [part for part in _lines(value, "\n,") if not _valid(ipaddress.ip_network, part)]
        if bad:
            return "preferences.bypass_auth_subnet_whitelist: not subnets (qBittorrent would drop them): %s" % (
                ", ".join(bad))
    if key in ADDRESS_KEYS and value.strip() and not _valid(ipaddress.ip_address, value.strip()):
        return "preferences.%s must be an IP address or empty, got %r" % (key, value)
    if key == "scan_dirs":
        bad = [folder for folder, target in value.items()
               if not (isinstance(target, str) or (isinstance(target, int) and target in (0, 1)))]
        if bad:
            return ("preferences.scan_dirs: each watched folder maps to 0 (save into it), 1 (default save path) "
                    "or a save path; wrong for %s" % ", ".join(map(str, bad)))
    return None


def _valid(parse: Callable[..., Any], text: str) -> bool:
    try:
        if parse is ipaddress.ip_network:
            parse(text, strict=False)
        else:
            parse(text)
    except ValueError:
        return False
    return True


class Plan:
    """What reaches the declared state: the declared keys that differ, their before/after, and the request."""

    def __init__(self, declared: dict[str, Any], current: dict[str, Any], login_password: Optional[str]) -> None:
        problems = _unknown_or_derived(declared, current)
        wanted: dict[str, Any] = {}
        for key, value in declared.items():
            if key not in current and key not in WRITE_ONLY_KEYS:
                continue
            try:
                wanted[key] = conform(key, value, current.get(key))
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if key in PATH_KEYS:
                wanted[key] = clean_path(wanted[key])
            problem = _check_form(key, wanted[key], current)
            if problem:
                problems.append(problem)
        problems += _pair_problems(wanted, current)
        if problems:
            raise PreferencesError(problems)
        self.wanted = wanted
        self.changed = [k for k, v in wanted.items() if k not in WRITE_ONLY_KEYS
                        and canonical(k, v) != canonical(k, current.get(k))]
        self.changed += [k for k in WRITE_ONLY_KEYS & set(wanted) if wanted[k] != login_password]
        self.before = {k: current.get(k) for k in self.changed}
        self.after = {k: wanted[k] for k in self.changed}
        self.request = _request(wanted, current, self.changed)

    def readable(self) -> dict[str, Any]:
        """The changed keys that preferences reports back (for the read-back proof)."""
        return {k: self.wanted[k] for k in self.changed if k not in WRITE_ONLY_KEYS}


def _unknown_or_derived(declared: dict[str, Any], current: dict[str, Any]) -> list[str]:
    problems = []
    unknown = sorted(set(declared) - set(current) - WRITE_ONLY_KEYS)
    if unknown:
        hints = ["%s (did you mean %s?)" % (k, ", ".join(m)) if m else k
                 for k in unknown for m in [get_close_matches(k, list(current), n=2)]]
        problems.append("unknown preference(s): %s" % "; ".join(hints))
    for key in sorted(set(declared) & set(READ_ONLY_KEYS)):
        problems.append("preferences.%s is derived by qBittorrent; set %s instead" % (key, READ_ONLY_KEYS[key]))
    if "proxy_auth_enabled" in declared and isinstance(current.get("proxy_type"), int):
        problems.append("preferences.proxy_auth_enabled is derived by qBittorrent 4.x from proxy_type "
                        "(3 HTTP_PW and 4 SOCKS5_PW authenticate); set proxy_type instead")
    return problems


def _pair_problems(wanted: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Declared combinations qBittorrent cannot store."""
    problems = []
    for switch, limit in LIMIT_PAIRS:
        on, value = wanted.get(switch), wanted.get(limit)
        if isinstance(value, (int, float)) and value < 0:
            wanted[limit] = value = -1
        if on is False and value not in (None, -1):
            problems.append("preferences.%s is kept only while %s is true (qBittorrent reports -1 when it is "
                            "off): declare %s: true, or leave %s out" % (limit, switch, switch, limit))
        elif on is True and value == -1:
            problems.append("preferences.%s must be 0 or more while %s is true" % (limit, switch))
        elif on is True and value is None and current.get(switch) is False:
            problems.append("preferences.%s: true needs %s (the limit to enable; qBittorrent would take 0)"
                            % (switch, limit))
    if RANDOM_PORT in wanted:
        port = wanted.get(LISTEN_PORT, current.get(LISTEN_PORT))
        if wanted[RANDOM_PORT] and LISTEN_PORT in wanted and wanted[LISTEN_PORT] != 0:
            problems.append("preferences.random_port: true contradicts listen_port %s" % wanted[LISTEN_PORT])
        elif not wanted[RANDOM_PORT] and port == 0:
            problems.append("preferences.random_port: false needs listen_port (the port to use instead)")
    return problems


def _request(wanted: dict[str, Any], current: dict[str, Any], changed: Iterable[str]) -> dict[str, Any]:
    """The setPreferences body: the changed keys, with the partners qBittorrent needs in the same request."""
    request = {k: wanted[k] for k in changed}
    if RANDOM_PORT in request:
        random = request.pop(RANDOM_PORT)
        request[LISTEN_PORT] = 0 if random else wanted.get(LISTEN_PORT, current.get(LISTEN_PORT))
    for switch, limit in LIMIT_PAIRS:
        if switch in request or limit in request:
            value = wanted.get(limit, current.get(limit))
            request[switch] = wanted.get(switch, value >= 0)
            request[limit] = value
    for pair in TOGETHER:
        if any(key in request for key in pair):
            request.update({key: wanted.get(key, current.get(key)) for key in pair})
    return request


def not_applied(sent: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """The sent keys whose read-back value is not the one sent, worded with secrets masked."""
    return ["%s (sent %s, now %s)" % (k, shown(k, v), shown(k, now.get(k)))
            for k, v in sent.items() if canonical(k, v) != canonical(k, now.get(k))]
