# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks that several layers share (roles/preflight, roles/storage): each returns the problems it finds,
worded with the variable's name, so one message can list them all.
"""
from __future__ import annotations

import ipaddress
import posixpath
import re
from typing import Any, Mapping

# Directories the roles would take over (owner, mode): the system's own, and the parents users mount into.
SYSTEM_DIRECTORIES = frozenset((
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt", "/opt",
    "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/local", "/var", "/var/lib",
    "/var/log", "/var/tmp", "/var/cache", "/var/lib/docker"))
# Nothing of ours belongs below these: system files, kernel views, package-managed or Docker-managed trees.
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin",
                "/sys", "/usr", "/var/lib/docker", "/var/run")

# Docker's reference grammar (distribution/reference): [host[:port]/]path[:tag][@digest].
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?/)?"
IMAGE_REFERENCE = re.compile(r"^%s%s(?:/%s)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
                             % (_HOST, _COMPONENT, _COMPONENT))
# ip:host:container, host:container or container, each with an optional /tcp or /udp.
PUBLISHED = re.compile(r"^(?:(?P<ip>\[[0-9A-Fa-f:.]+\]|[0-9]+(?:\.[0-9]+){3}):)?(?:(?P<host>[0-9]*):)?"
                       r"(?P<container>[0-9]+)(?:/(?P<proto>tcp|udp|sctp))?$")


def system_directory_problem(path: Any, name: str) -> str:
    """Why `path` (the variable `name`) must not be a directory the roles own, or ''."""
    text = str(path or "")
    if not text.startswith("/"):
        return "%s must be an absolute path (is %r)" % (name, text)
    clean = posixpath.normpath(text)
    clean = "/" + clean.lstrip("/")
    if clean in SYSTEM_DIRECTORIES:
        return "%s is %s, a system directory the roles would take over (owner and mode); use a directory " \
               "of its own such as /mnt/pool01/media or /srv/mediastack" % (name, clean)
    inside = [tree for tree in SYSTEM_TREES if clean.startswith(tree + "/")]
    if inside:
        return "%s (%s) is inside %s, which belongs to the system" % (name, clean, inside[0])
    if re.match(r"^/home/[^/]+$", clean):
        return "%s is %s, a user's home directory: the roles would change its owner; use a directory " \
               "inside it" % (name, clean)
    return ""


def image_reference_problems(images: Mapping[str, Any]) -> list[str]:
    """Every variable of {name: image} that is not a pullable image reference."""
    problems = []
    for name, image in sorted(images.items()):
        if not isinstance(image, str) or not IMAGE_REFERENCE.match(image):
            problems.append("%s: %r is not an image reference like lscr.io/linuxserver/radarr:5.26.2 "
                            "(lowercase repository, optional :tag and @sha256:digest)" % (name, image))
    return problems


def published_ports_problems(published: Mapping[str, Any]) -> list[str]:
    """Every malformed entry of the {variable: [ip:host:container, ...]} lists, and every host port that two
    variables publish on the same address (or one on every address)."""
    problems: list[str] = []
    bindings: list[tuple[str, str, int, str]] = []   # variable, ip, host port, protocol
    for name, entries in sorted(published.items()):
        if not isinstance(entries, list):
            problems.append("%s must be a list like [\"192.168.1.20:8096:8096\"] (is %r)" % (name, entries))
            continue
        for entry in entries:
            match = PUBLISHED.match(str(entry))
            if not match:
                problems.append("%s: %r is not ip:host_port:container_port" % (name, entry))
                continue
            ip = (match.group("ip") or "0.0.0.0").strip("[]")
            host = int(match.group("host") or match.group("container"))
            if not _is_ip(ip):
                problems.append("%s: %r has no valid IP address (%s)" % (name, entry, ip))
            elif not (1 <= host <= 65535 and 1 <= int(match.group("container")) <= 65535):
                problems.append("%s: %r has a port outside 1-65535" % (name, entry))
            else:
                bindings.append((name, ip, host, match.group("proto") or "tcp"))
    for index, (name, ip, port, proto) in enumerate(bindings):
        for other, other_ip, other_port, other_proto in bindings[:index]:
            wildcard = {"0.0.0.0", "::"} & {ip, other_ip}
            if other != name and (port, proto) == (other_port, other_proto) and (ip == other_ip or wildcard):
                problems.append("%s: host port %d/%s is already published by %s" % (name, port, proto, other))
    return problems


def ip_range_problems(values: Any, name: str) -> list[str]:
    """Every entry of the list `values` (the variable `name`) that is not an IP address or a CIDR range. A range
    with host bits set (10.0.0.1/8) counts as wrong: the programs would accept it, but it is almost always a typo."""
    if not isinstance(values, list):
        return ["%s must be a list of addresses or ranges like 192.168.1.0/24 (is %r)" % (name, values)]
    problems = []
    for value in values:
        try:
            ipaddress.ip_network(str(value).strip(), strict=True)
        except ValueError:
            problems.append("%s: %r is not an IP address or a range like 192.168.1.0/24 (without host bits)"
                            % (name, value))
    return problems


def media_path_problems(values: Any, name: str) -> list[str]:
    """Every entry of `values` (a path or a list of them, the variable `name`) that is not an absolute, normalised
    path under /media, the one media file system every container mounts: elsewhere a download and its import
    would sit on two file systems (no hardlink), or outside what the containers see at all."""
    items = values if isinstance(values, list) else [values]
    problems = []
    for value in items:
        text = str(value)
        if not text.startswith("/") or posixpath.normpath(text) != text.rstrip("/") or \
                not (text == "/media" or text.startswith("/media/")):
            problems.append("%s: %r must be a path under /media (the media file system inside the containers)"
                            % (name, value))
    return problems


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class FilterModule:
    def filters(self) -> dict:
        return {
            "system_directory_problem": system_directory_problem,
            "image_reference_problems": image_reference_problems,
            "published_ports_problems": published_ports_problems,
            "ip_range_problems": ip_range_problems,
            "media_path_problems": media_path_problems,
        }
