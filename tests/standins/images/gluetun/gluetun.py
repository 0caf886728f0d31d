"""Gluetun stand-in: the network-namespace owner qBittorrent joins (network_mode container:<gluetun>).

What it reproduces of qmcgaw/gluetun (WireGuard, e.g. AirVPN):
- settings from the same environment (and *_SECRETFILE files): VPN_SERVICE_PROVIDER, VPN_TYPE=wireguard,
  WIREGUARD_PRIVATE_KEY, WIREGUARD_PRESHARED_KEY, WIREGUARD_ADDRESSES, WIREGUARD_MTU, SERVER_COUNTRIES/REGIONS/
  CITIES/NAMES, FIREWALL_VPN_INPUT_PORTS, FIREWALL_OUTBOUND_SUBNETS, HTTP_CONTROL_SERVER_ADDRESS,
  HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE; invalid settings stop the container with exit code 1 and an
  "ERROR VPN settings: ..." line, e.g. a private key that is missing or not 32 bytes of base64;
- the firewall first (iptables, policy DROP on INPUT, OUTPUT and FORWARD): out only through tun0, to loopback,
  to the container's own subnets and to FIREWALL_OUTBOUND_SUBNETS on eth0, and replies; in from the local
  subnets, and on tun0 to FIREWALL_VPN_INPUT_PORTS;
- the tunnel, named by VPN_INTERFACE (wg0 by default, like the real one's WireGuard; the role sets tun0, the
  name used here): a real tun0 (opened on /dev/net/tun and held by this process, so it has carrier) with the first
  IPv4 of WIREGUARD_ADDRESSES; eth0's default route is deleted and the default route goes through tun0;
  FIREWALL_OUTBOUND_SUBNETS get routes via the old gateway; replies from eth0's address use table 200 via the
  old gateway (inbound.go), so published ports keep working. Packets sent into tun0 are read and dropped:
  the stand-in never sends anything anywhere (no WireGuard peer);
- the control server on HTTP_CONTROL_SERVER_ADDRESS (:8000): GET/PUT /v1/vpn/status, GET /v1/vpn/settings,
  GET /v1/publicip/ip (a TEST-NET address, $PUBLICIP_STANDIN), GET /v1/portforward and the older
  /v1/openvpn/portforwarded ({"port": first FIREWALL_VPN_INPUT_PORTS or 0}), GET /v1/dns/status,
  GET /v1/updater/status. Routes are private unless a role allows them: the [[roles]] of the TOML file
  HTTP_CONTROL_SERVER_AUTH_CONFIG_FILEPATH (default /gluetun/auth/config.toml; name, routes ["GET /v1/..."],
  auth none|apikey|basic with apikey or username/password), or HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE (every
  route) saying {"auth":"none"}, {"auth":"apikey","apikey":...} (header X-API-Key) or {"auth":"basic",...};
  `PUT /v1/vpn/status {"status":"stopped"}` takes tun0 down (no route out; the firewall stays);
- the health server on 127.0.0.1:9999 and `/gluetun-entrypoint healthcheck` (the image's HEALTHCHECK).
"""
from __future__ import annotations

import base64
import binascii
import fcntl
import ipaddress
import json
import os
import struct
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

from standin import exit_on_sigterm, log, probe, serve

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
# VPN_INTERFACE, as the real one reads it (its WireGuard default is wg0; the role sets tun0).
TUN = os.environ.get("VPN_INTERFACE", "").strip() or "wg0"
ROUTING_TABLE = "200"


class SettingsError(ValueError):
    """Invalid settings: the real gluetun logs them and exits 1."""


def setting(name: str, default: str = "") -> str:
    """The env value, else the content of <NAME>_SECRETFILE (default /run/secrets/<name>), as gluetun reads it."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    secret = Path(os.environ.get(f"{name}_SECRETFILE") or f"/run/secrets/{name.lower()}")
    return secret.read_text().strip() if secret.is_file() else default


def csv(name: str) -> list[str]:
    return [item.strip() for item in setting(name).split(",") if item.strip()]


def wireguard_key(value: str, what: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SettingsError(f"wireguard settings: {what} is not valid: failed to parse base64-encoded key: "
                            f"{exc}") from None
    if len(raw) != 32:
        raise SettingsError(f"wireguard settings: {what} is not valid: incorrect key size: {len(raw)}")
    return value


def load_settings() -> dict:
    provider = setting("VPN_SERVICE_PROVIDER", "private internet access").lower()
    vpn_type = setting("VPN_TYPE", "openvpn").lower()
    if vpn_type != "wireguard":
        raise SettingsError(f"VPN type {vpn_type!r}: this stand-in implements VPN_TYPE=wireguard only")
    private_key = setting("WIREGUARD_PRIVATE_KEY")
    if not private_key:
        raise SettingsError("wireguard settings: private key is not set")
    wireguard_key(private_key, "private key")
    preshared = setting("WIREGUARD_PRESHARED_KEY")
    if preshared:
        wireguard_key(preshared, "pre-shared key")
    addresses = []
    for item in csv("WIREGUARD_ADDRESSES"):
        try:
            addresses.append(ipaddress.ip_interface(item))
        except ValueError:
            raise SettingsError(f"wireguard settings: interface address is not valid: {item!r}") from None
    if not addresses:
        raise SettingsError("wireguard settings: interface address is not set")
    ipv4 = [a for a in addresses if a.version == 4]
    if not ipv4:
        raise SettingsError("wireguard settings: no IPv4 interface address (IPv6 needs Docker IPv6)")
    ports = []
    for item in csv("FIREWALL_VPN_INPUT_PORTS"):
        if not item.isdigit() or not 0 < int(item) < 65536:
            raise SettingsError(f"firewall settings: VPN input port is not valid: {item!r}")
        ports.append(int(item))
    outbound = []
    for item in csv("FIREWALL_OUTBOUND_SUBNETS"):
        try:
            net = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(f"firewall settings: outbound subnet is not valid: {item!r}") from None
        if any(a.ip in net for a in addresses):
            raise SettingsError(f"firewall settings: outbound subnet {net} overlaps the WireGuard address")
        outbound.append(net)
    role = setting("HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE")
    try:
        roles = [(json.loads(role), None)] if role else []
    except ValueError:
        raise SettingsError("control server settings: HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE is not JSON") from None
    auth_file = Path(setting("HTTP_CONTROL_SERVER_AUTH_CONFIG_FILEPATH", "/gluetun/auth/config.toml"))
    if auth_file.is_file():
        try:
            roles += [(entry, set(entry.get("routes", []))) for entry in tomllib.loads(auth_file.read_text())
                      .get("roles", [])]
        except (tomllib.TOMLDecodeError, AttributeError) as exc:
            raise SettingsError(f"control server settings: {auth_file}: {exc}") from None
    address = setting("HTTP_CONTROL_SERVER_ADDRESS", ":8000")
    return {"provider": provider, "type": vpn_type, "address": ipv4[0], "mtu": int(setting("WIREGUARD_MTU", "1320")),
            "input_ports": ports, "outbound_subnets": outbound, "roles": roles,
            "control": (address.rpartition(":")[0] or "0.0.0.0", int(address.rpartition(":")[2])),
            "countries": csv("SERVER_COUNTRIES"), "regions": csv("SERVER_REGIONS"), "cities": csv("SERVER_CITIES"),
            "names": csv("SERVER_NAMES"), "public_ip": setting("PUBLICIP_STANDIN", "198.51.100.23")}


def run(*args: str) -> str:
    result = subprocess.run(list(args), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {result.stderr.strip() or result.returncode}")
    return result.stdout


def default_route() -> tuple[str, str]:
    routes = json.loads(run("ip", "-j", "-4", "route", "show", "default"))
    if not routes:
        raise RuntimeError("no default route: is the container on a Docker network?")
    return routes[0]["gateway"], routes[0]["dev"]


def local_networks(device: str) -> list[tuple[str, ipaddress.IPv4Network]]:
    links = json.loads(run("ip", "-j", "-4", "addr", "show", "dev", device))
    return [(a["local"], ipaddress.ip_network(f"{a['local']}/{a['prefixlen']}", strict=False))
            for link in links for a in link.get("addr_info", [])]


def firewall(settings: dict, device: str, networks: list[tuple[str, ipaddress.IPv4Network]]) -> None:
    """The kill switch: set once, before the tunnel, and never taken down."""
    rules = [["-P", chain, "DROP"] for chain in ("INPUT", "OUTPUT", "FORWARD")]
    rules += [["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"], ["-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT"],
              ["-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
              ["-A", "OUTPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]]
    for local, net in networks:
        rules += [["-A", "OUTPUT", "-o", device, "-s", local, "-d", str(net), "-j", "ACCEPT"],
                  ["-A", "INPUT", "-i", device, "-d", str(net), "-j", "ACCEPT"]]
    for net in settings["outbound_subnets"]:
        rules.append(["-A", "OUTPUT", "-o", device, "-d", str(net), "-j", "ACCEPT"])
    rules.append(["-A", "OUTPUT", "-o", TUN, "-j", "ACCEPT"])
    for port in settings["input_ports"]:
        rules += [["-A", "INPUT", "-i", TUN, "-p", proto, "--dport", str(port), "-j", "ACCEPT"]
                  for proto in ("tcp", "udp")]
    for rule in rules:
        run("iptables", *rule)
    for chain in ("INPUT", "OUTPUT", "FORWARD"):   # IPv6: nothing at all, as without Docker IPv6
        subprocess.run(["ip6tables", "-P", chain, "DROP"], capture_output=True)


def open_tun() -> int:
    if not Path("/dev/net/tun").exists():
        raise RuntimeError("TUN device is not available: open /dev/net/tun: no such file or directory "
                           "(add the device /dev/net/tun:/dev/net/tun)")
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", TUN.encode(), IFF_TUN | IFF_NO_PI))
    threading.Thread(target=_drain, args=(fd,), daemon=True).start()
    return fd


def _drain(fd: int) -> None:
    """The far end of the tunnel: whatever is routed into tun0 is read and dropped."""
    while True:
        os.read(fd, 65535)


class Tunnel:
    def __init__(self, settings: dict, gateway: str, device: str) -> None:
        self.settings, self.gateway, self.device = settings, gateway, device
        self.status = "stopped"
        self.lock = threading.Lock()

    def up(self) -> None:
        with self.lock:
            run("ip", "link", "set", TUN, "mtu", str(self.settings["mtu"]), "up")
            run("ip", "addr", "replace", str(self.settings["address"].ip) + "/32", "dev", TUN)
            run("ip", "route", "replace", "default", "dev", TUN)
            self.status = "running"

    def down(self) -> None:
        with self.lock:
            run("ip", "link", "set", TUN, "down")   # the kernel drops the routes through tun0
            self.status = "stopped"

    def healthy(self) -> str | None:
        if self.status != "running":
            return "VPN is stopped"
        route = run("ip", "route", "get", "1.1.1.1")   # computes a route, sends nothing
        return None if f"dev {TUN}" in route else f"default route is not through {TUN}: {route.strip()}"


def reroute(settings: dict, gateway: str, device: str, networks: list) -> None:
    run("ip", "route", "del", "default", "via", gateway, "dev", device)
    for net in settings["outbound_subnets"]:
        run("ip", "route", "replace", str(net), "via", gateway, "dev", device)
    for local, _ in networks:   # replies to inbound connections (published ports) leave through eth0
        run("ip", "rule", "add", "from", f"{local}/32", "lookup", ROUTING_TABLE, "priority", "100")
    run("ip", "route", "replace", "default", "via", gateway, "dev", device, "table", ROUTING_TABLE)


def control_routes(settings: dict, tunnel: Tunnel) -> dict:
    def allowed(route: str, headers) -> bool:
        return any(routes is None or route in routes for auth, routes in settings["roles"]
                   if passes(auth, headers))

    def passes(auth: dict, headers) -> bool:
        kind = str(auth.get("auth", "")).lower()
        if kind == "none":
            return True
        if kind == "apikey":
            return bool(auth.get("apikey")) and headers.get("X-API-Key") == auth["apikey"]
        if kind == "basic":
            expected = base64.b64encode(f"{auth.get('username')}:{auth.get('password')}".encode()).decode()
            return headers.get("Authorization") == f"Basic {expected}"
        return False

    def guarded(route: str, handler):
        def wrapper(query, body, headers):
            if not allowed(route, headers):
                return 401, "Unauthorized\n"
            return handler(query, body, headers)
        return wrapper

    def vpn_status(query, body, headers):
        return 200, {"status": tunnel.status}

    def set_vpn_status(query, body, headers):
        wanted = (body or {}).get("status") if isinstance(body, dict) else None
        if wanted not in ("running", "stopped"):
            return 400, {"error": f"invalid status {wanted!r}"}
        if wanted != tunnel.status:
            (tunnel.up if wanted == "running" else tunnel.down)()
        return 200, {"outcome": wanted}

    def public_ip(query, body, headers):
        running = tunnel.status == "running"
        return 200, {"public_ip": settings["public_ip"] if running else "",
                     "country": (settings["countries"] or [""])[0] if running else "",
                     "region": (settings["regions"] or [""])[0], "city": (settings["cities"] or [""])[0],
                     "hostname": (settings["names"] or [""])[0], "location": "", "organization": "",
                     "postal_code": "", "timezone": ""}

    def port_forwarded(query, body, headers):
        return 200, {"port": settings["input_ports"][0] if settings["input_ports"] else 0}

    def vpn_settings(query, body, headers):
        return 200, {"type": settings["type"], "provider": {"name": settings["provider"],
                     "server_selection": {"countries": settings["countries"], "regions": settings["regions"],
                                          "cities": settings["cities"], "names": settings["names"]}},
                     "wireguard": {"private_key": "[set]", "addresses": [str(settings["address"])],
                                   "mtu": settings["mtu"]}}

    routes = {("GET", "/v1/vpn/status"): vpn_status, ("PUT", "/v1/vpn/status"): set_vpn_status,
              ("GET", "/v1/vpn/settings"): vpn_settings, ("GET", "/v1/publicip/ip"): public_ip,
              ("GET", "/v1/portforward"): port_forwarded, ("GET", "/v1/openvpn/portforwarded"): port_forwarded,
              ("GET", "/v1/dns/status"): lambda q, b, h: (200, {"status": "running"}),
              ("GET", "/v1/updater/status"): lambda q, b, h: (200, {"status": "completed"})}
    return {key: guarded(f"{key[0]} {key[1]}", handler) for key, handler in routes.items()}


def main() -> None:
    exit_on_sigterm()
    try:
        settings = load_settings()
    except (SettingsError, OSError) as exc:
        print(f"ERROR VPN settings: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    try:
        gateway, device = default_route()
        networks = local_networks(device)
        firewall(settings, device, networks)
        open_tun()
        reroute(settings, gateway, device, networks)
        tunnel = Tunnel(settings, gateway, device)
        tunnel.up()
    except (RuntimeError, OSError) as exc:
        print(f"ERROR {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    log("gluetun", f"{settings['provider']} wireguard: {TUN} {settings['address']}, default route via {TUN}, "
                   f"firewall set (local {', '.join(str(n) for _, n in networks)})")
    if not settings["roles"]:
        log("gluetun", "control server: no role configured, every route is private (401)")

    def health(query, body, headers):
        problem = tunnel.healthy()
        return (500, problem + "\n") if problem else (200, "")

    host, port = os.environ.get("HEALTH_SERVER_ADDRESS", "127.0.0.1:9999").rsplit(":", 1)
    serve("gluetun-health", {("GET", "/"): health}, int(port), host or "127.0.0.1", block=False)
    serve("gluetun", control_routes(settings, tunnel), settings["control"][1], settings["control"][0])


if __name__ == "__main__":
    if sys.argv[1:] == ["healthcheck"]:
        host_port = os.environ.get("HEALTH_SERVER_ADDRESS", "127.0.0.1:9999")
        sys.exit(probe(f"http://{host_port}/"))
    main()
