# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The self-test's judgements that need parsing, and its report (roles/verify)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping


def verify_row(result: Mapping[str, Any]) -> str:
    """`ch.N PASS|FAIL what was checked: what was seen`, and on failure `-> fix: what to do`."""
    verdict = ("WARN" if result.get("warn") else "PASS") if result["ok"] else "FAIL"
    line = "ch.%s %s %s: %s" % (result["chapter"], verdict, result["check"],
                                str(result.get("seen") or "").strip())
    if not result["ok"] and result.get("fix"):
        line += " -> fix: %s" % str(result["fix"]).strip()
    return line


def verify_site_row(probe: Mapping[str, Any], upstreams: Mapping[str, Mapping[str, str]], min_days: int) -> dict:
    """Chapter 1 for one site (a caddy_site_info result in a loop): a trusted certificate for the name that does
    not expire soon, and the declared upstream behind it (its status route answers with its own key)."""
    site = probe["item"]
    upstream = upstreams[site["service"]]
    certificate = probe.get("certificate") or {}
    answer = probe.get("json")
    problems = []
    if not probe.get("tls_valid"):
        problems.append(probe.get("error") or "no TLS session")
    elif int(certificate.get("days_left", 0)) < int(min_days):
        problems.append("the certificate expires in %s days (%s)" % (certificate.get("days_left"),
                                                                     certificate.get("not_after")))
    if probe.get("reachable") and (probe.get("status") != 200 or not isinstance(answer, dict)
                                   or upstream["key"] not in answer):
        problems.append("GET %s answered %s, not %s" % (upstream["path"], probe.get("status"), upstream["app"]))
    return _row(1, "Caddy serves https://%s (%s)" % (site["host"], upstream["app"]), "; ".join(problems),
                "certificate from %s until %s, %s behind it" % (certificate.get("issuer"), certificate.get("not_after"),
                                                               upstream["app"]),
                "look at `docker logs caddy` (ACME: the router forwards 80 and 443 to this host, the DNS record "
                "points at your public address; the upstream: is %s running?)" % upstream["app"])


def verify_pull_age(cscli_json: str, bouncer: str, now: datetime) -> int:
    """Seconds since `bouncer` last pulled decisions, from `cscli bouncers list -o json`; -1 when it never did
    or the list could not be read."""
    try:
        bouncers = json.loads(cscli_json or "[]")
    except ValueError:
        return -1
    pulls = [b.get("last_pull") for b in bouncers or [] if b.get("name") == bouncer and b.get("last_pull")]
    if not pulls:
        return -1
    pulled = datetime.strptime(str(pulls[0])[:19], "%Y-%m-%dT%H:%M:%S")
    return max(0, int((now.replace(tzinfo=None) - pulled).total_seconds()))


def _row(chapter: int, check: str, problem: str, seen: str, fix: str, warn: bool = False) -> dict[str, Any]:
    return {"chapter": chapter, "check": check, "ok": not problem, "seen": problem or seen, "fix": fix,
            "warn": warn}


def _answer(result: Mapping[str, Any], what: str) -> tuple[Any, str]:
    """The JSON of a uri result, or why there is none."""
    status = result.get("status", -1)
    if status == 200 and "json" in result:
        return result["json"], ""
    if status in (-1, None):
        return None, "%s: no answer (%s)" % (what, result.get("msg") or "unreachable")
    return None, "%s answered HTTP %s" % (what, status)


def verify_pick(items: Any, name: str) -> dict[str, Any]:
    """The item called `name` (case ignored) of a list the API returned; {} when there is none."""
    found = [i for i in items or [] if isinstance(i, dict) and str(i.get("name", "")).lower() == name.lower()]
    return found[0] if found else {}


def verify_test_row(read: Mapping[str, Any], answer: Mapping[str, Any], test: Mapping[str, Any]) -> dict:
    """One app's own connection test (roles/verify/tasks/api_test.yml): the item exists and its test passes."""
    items, problem = _answer(read, "GET " + test["url"])
    if not problem and not verify_pick(items, test["name"]):
        problem = "no %s named %s" % (test["what"].split("'s ", 1)[-1], test["name"])
    if not problem:
        status = answer.get("status", -1)
        if status not in (200, 204):
            body = answer.get("json")
            messages = [str(m.get("errorMessage") or m.get("message") or m) for m in body] \
                if isinstance(body, list) else [str((body or {}).get("message") or answer.get("msg") or "")]
            problem = "its test failed (HTTP %s): %s" % (status, "; ".join(m for m in messages if m) or "no message")
    return _row(test["chapter"], test["check"], problem, "the test passed", test["fix"])


def verify_flaresolverr_row(result: Mapping[str, Any]) -> dict:
    body, problem = _answer(result, "GET /health")
    if not problem and (body or {}).get("status") != "ok":
        problem = "GET /health answered %s" % body
    return _row(2, "FlareSolverr is ready for Prowlarr", problem, "it answers status ok",
                "look at `docker logs flaresolverr`")


def verify_indexers_row(results: list) -> dict:
    """Every enabled Prowlarr indexer is in Radarr (Prowlarr's sync names them '<name> (Prowlarr)')."""
    (prowlarr, problem), (radarr, radarr_problem) = (_answer(r, "GET " + r["item"]["url"]) for r in results)
    problem = problem or radarr_problem
    fix = ("Prowlarr pushes its indexers to Radarr (its application Radarr, sync level fullSync); list them in "
           "prowlarr_indexers")
    if problem:
        return _row(2, "Radarr has Prowlarr's indexers", problem, "", fix)
    wanted = sorted(i["name"] for i in prowlarr if i.get("enable"))
    synced = {str(i.get("name", "")).lower() for i in radarr}
    missing = [n for n in wanted if (n + " (prowlarr)").lower() not in synced and n.lower() not in synced]
    if not wanted:
        return _row(2, "Radarr has Prowlarr's indexers", "", "Prowlarr has no enabled indexer, so a "
                    "request finds nothing; list some in prowlarr_indexers", fix, warn=True)
    return _row(2, "Radarr has Prowlarr's indexers", "not in Radarr: " + ", ".join(missing) if missing else "",
                "%d indexer(s): %s" % (len(wanted), ", ".join(wanted)), fix)


def verify_route_row(result: Mapping[str, Any], interface: str) -> dict:
    """qBittorrent's namespace (Gluetun's) sends the internet through the tunnel only."""
    route = " ".join(str(result.get("stdout") or "").split())
    if result.get("rc", 1) != 0:
        problem = "`ip route get` in gluetun failed: %s" % (result.get("stderr") or result.get("msg") or "")
    elif ("dev %s" % interface) not in route:
        problem = "the internet goes %s, not through %s" % (route or "nowhere", interface)
    else:
        problem = ""
    return _row(3, "qBittorrent's only way out is the tunnel (%s)" % interface, problem, route,
                "look at `docker logs gluetun` (the WireGuard values in the vault, the AirVPN server)")


def verify_gluetun_row(results: list, home_address: str) -> dict:
    """Gluetun says the VPN runs, and the internet sees another address than the home's."""
    (status, problem), (public, public_problem) = (_answer(r, "GET " + r["item"]) for r in results)
    problem = problem or public_problem
    address = str((public or {}).get("public_ip") or "")
    if not problem and (status or {}).get("status") != "running":
        problem = "the VPN is %s" % (status or {}).get("status")
    elif not problem and home_address and address == home_address:
        problem = "the internet sees the home address %s: the tunnel does not carry the traffic" % address
    return _row(3, "Gluetun's VPN is up, with another public address than home's", problem,
                "running, public address %s" % (address or "unknown (public IP lookup off)"),
                "look at `docker logs gluetun`; the control server key is in the vault or in gluetun's "
                "auth/config.toml")


def verify_library_row(result: Mapping[str, Any], folder: str) -> dict:
    """Jellyfin has a library on Radarr's root folder, where the imports land."""
    folders, problem = _answer(result, "GET /Library/VirtualFolders")
    names = [f.get("Name") for f in folders or [] if folder in (f.get("Locations") or [])]
    if not problem and not names:
        problem = "no library on %s (libraries: %s)" % (folder, ", ".join(
            "%s %s" % (f.get("Name"), f.get("Locations")) for f in folders or []) or "none")
    return _row(5, "Jellyfin shows what Radarr imports (a library on %s)" % folder, problem,
                "library %s" % ", ".join(str(n) for n in names),
                "list the folder in jellyfin_libraries (paths inside the container) and run playbooks/wire.yml")


def verify_host_path(path: str, container: Mapping[str, Any]) -> str:
    """Where a path inside a container lives on the host, through the container's mounts (docker inspect): the
    mount with the longest destination that holds the path; '' when no bind mount or volume holds it (a tmpfs, or
    the container's own layer: nothing another container can see)."""
    mounts = [m for m in (container.get("Mounts") or [])
              if path == m.get("Destination") or path.startswith(m.get("Destination", "").rstrip("/") + "/")]
    if not mounts:
        return ""
    mount = max(mounts, key=lambda m: len(m["Destination"]))
    if mount.get("Type") not in ("bind", "volume") or not mount.get("Source"):
        return ""
    return mount["Source"].rstrip("/") + path[len(mount["Destination"].rstrip("/")):]


def verify_mount_problem(download_dir: str, downloader: Mapping[str, Any], importer: Mapping[str, Any]) -> str:
    """Why Radarr cannot pick up what qBittorrent finishes, seen from the two containers' mounts ('' if it can):
    the finished-downloads folder must be the same host folder in both."""
    for name, info in (("qBittorrent", downloader), ("Radarr", importer)):
        if not info.get("exists"):
            return "the %s container does not exist" % name
    seen_by_downloader = verify_host_path(download_dir, downloader["container"])
    seen_by_importer = verify_host_path(download_dir, importer["container"])
    if not seen_by_downloader:
        return "qBittorrent's %s is on no host folder (a tmpfs or the container's own layer)" % download_dir
    if seen_by_downloader != seen_by_importer:
        return "%s is %s in qBittorrent but %s in Radarr: Radarr cannot find the finished downloads" % (
            download_dir, seen_by_downloader, seen_by_importer or "not mounted")
    return ""


def verify_hardlink_row(stats: list, linked: Mapping[str, Any], written: Mapping[str, Any],
                        mount_problem: str = "") -> dict:
    """Chapter 4: the probe and its hardlink share one inode (so an import costs no byte and no time)."""
    download, library = (s.get("stat") or {} for s in stats)
    check = "Downloads and library are one file system (an import is a hardlink)"
    fix = ("mount one file system at the media root and use it for both (storage_mount_path), not two mounts or "
           "two volumes: no other volume under /media in qbittorrent_extra_volumes or radarr_extra_volumes")
    if mount_problem:
        return _row(4, check, mount_problem, "", fix)
    if written.get("failed"):
        return _row(4, check, "cannot write %s: %s" % (stats[0]["item"], written.get("msg")), "", fix)
    if linked.get("failed"):
        return _row(4, check, "no hardlink from %s to %s: %s" % (stats[0]["item"], stats[1]["item"],
                                                                 linked.get("msg")), "", fix)
    same = download.get("exists") and download.get("inode") == library.get("inode") and \
        download.get("dev") == library.get("dev") and download.get("nlink") == 2
    return _row(4, check, "" if same else "the two names are two files (inodes %s and %s)" % (
        download.get("inode"), library.get("inode")),
        "one inode (%s), two links, no extra byte" % download.get("inode"), fix)


class FilterModule:
    def filters(self) -> dict:
        return {"verify_row": verify_row, "verify_site_row": verify_site_row, "verify_pull_age": verify_pull_age,
                "verify_pick": verify_pick, "verify_test_row": verify_test_row,
                "verify_flaresolverr_row": verify_flaresolverr_row, "verify_indexers_row": verify_indexers_row,
                "verify_route_row": verify_route_row, "verify_gluetun_row": verify_gluetun_row,
                "verify_library_row": verify_library_row, "verify_hardlink_row": verify_hardlink_row,
                "verify_host_path": verify_host_path, "verify_mount_problem": verify_mount_problem}
