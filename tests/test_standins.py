"""The stand-in images: built once and reused, healthy on a test bridge, answering like the upstream images
where the roles and the wiring will look (select with `-m standins`)."""
from __future__ import annotations

import base64
import json
import os
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.standins.builder import build
from tests.standins.harness import ADDRESSES, GATEWAY, TIMINGS, http, wait_healthy

WG_ADDRESS = "10.99.0.2/32"
CONTROL_KEY = "standin-control-key"


def wireguard_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def gluetun_env(**extra: str) -> dict[str, str]:
    # VPN_INTERFACE as roles/gluetun sets it (without it Gluetun, and the stand-in, name the tunnel wg0).
    return {"VPN_SERVICE_PROVIDER": "airvpn", "VPN_TYPE": "wireguard", "VPN_INTERFACE": "tun0",
            "WIREGUARD_PRIVATE_KEY": wireguard_key(),
            "WIREGUARD_PRESHARED_KEY": wireguard_key(), "WIREGUARD_ADDRESSES": WG_ADDRESS,
            "SERVER_COUNTRIES": "Netherlands", "FIREWALL_VPN_INPUT_PORTS": "51413",
            "HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE": f'{{"auth":"apikey","apikey":"{CONTROL_KEY}"}}', **extra}


def exec_out(container, *cmd: str) -> str:
    code, output = container.exec_run(list(cmd))
    text = output.decode(errors="replace")
    assert code == 0, f"{' '.join(cmd)} in {container.name}: exit {code}: {text}"
    return text


def test_images_are_built_once_and_reused(docker_client, standin_images) -> None:
    again = build(docker_client, log=lambda line: None)
    TIMINGS["warm build"] = f"{again.seconds:.1f} s"
    print(f"\nstand-in images: first build {standin_images.seconds:.1f} s "
          f"(built {standin_images.built or 'nothing'}), warm {again.seconds:.1f} s")
    assert again.built == []
    assert again.images == standin_images.images
    for app, ref in again.images.items():
        assert re.fullmatch(rf"mediastack-standin/{app}:[0-9a-f]{{16}}", ref)
        assert docker_client.images.get(ref).id == docker_client.images.get(f"mediastack-standin/{app}:latest").id


@pytest.mark.parametrize(("app", "path", "expected"), [
    ("jellyfin", "/health", "Healthy"),
    ("jellyfin", "/System/Info/Public", {"Version": "10.11.11", "StartupWizardCompleted": False}),
    ("seerr", "/api/v1/status", {"version": "3.1.0"}),
    ("seerr", "/api/v1/settings/public", {"initialized": False, "mediaServerType": 4}),
    ("flaresolverr", "/", {"msg": "FlareSolverr is ready!"}),
])
def test_small_standins_answer_from_the_host(run_standin, tmp_path: Path, app: str, path: str, expected) -> None:
    container = run_standin(app, volumes={str(tmp_path): {"bind": "/app/config" if app == "seerr" else "/config",
                                                          "mode": "rw"}})
    wait_healthy(container)
    port = {"jellyfin": 8096, "seerr": 5055, "flaresolverr": 8191}[app]
    status, text = http("GET", f"http://{ADDRESSES[app]}:{port}{path}")
    assert status == 200, text
    if isinstance(expected, str):
        assert text == expected
    else:
        answer = json.loads(text)
        assert {key: answer.get(key) for key in expected} == expected, answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


def profilarr_call(url: str, key: str | None = None, form: dict[str, str] | None = None,
                   origin: str | None = None) -> tuple[int, str, str]:
    """(status, Location, text) of a request to the Profilarr stand-in, redirects not followed; a form is posted
    as a SvelteKit client posts it (JSON answer)."""
    headers = {"Accept": "application/json", **({"X-Api-Key": key} if key else {}),
               **({"Origin": origin} if origin else {})}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data, headers=headers), timeout=10) as answer:
            return answer.status, answer.headers.get("Location") or "", answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location") or "", exc.read().decode()


def test_profilarr_links_an_instance_with_its_env_key_and_keeps_it_in_its_volume(run_standin,
                                                                                  tmp_path: Path) -> None:
    key = secrets.token_hex(20)
    volumes = {str(tmp_path): {"bind": "/config", "mode": "rw"}}
    profilarr = run_standin("profilarr", environment={"PROFILARR_API_KEY": key, "PUID": "1234", "PGID": "1234"},
                            volumes=volumes)
    wait_healthy(profilarr)                 # a fresh instance: the health check takes the 303 to /auth/setup
    url = f"http://{ADDRESSES['profilarr']}:6868"
    assert profilarr_call(f"{url}/api/v1/health")[:2] == (303, "/auth/setup")
    status, _, text = profilarr_call(f"{url}/api/v1/health", key)
    assert status == 200 and json.loads(text)["status"] == "healthy", text
    radarr = {"name": "Radarr", "type": "radarr", "url": "http://radarr:7878", "api_key": "r" * 32, "tags": "[]"}
    assert profilarr_call(f"{url}/arr/new", key, radarr)[0] == 403                      # no Origin: CSRF
    status, _, text = profilarr_call(f"{url}/arr/new", key, radarr, origin=url)
    assert (status, json.loads(text)) == (200, {"type": "redirect", "status": 303, "location": "/arr"}), text
    state = tmp_path / "standin-state.json"
    assert os.stat(state).st_uid == 1234 and os.stat(state).st_mode & 0o777 == 0o600
    deadline = time.monotonic() + 5            # the log is written once a second
    while "request POST /arr/new 200 write" not in profilarr.logs().decode():
        assert time.monotonic() < deadline, profilarr.logs().decode()
        time.sleep(0.2)
    profilarr.remove(force=True)
    # A new container on the volume finds the instance; ORIGIN now decides which origin may post forms.
    again = run_standin("profilarr", environment={"PROFILARR_API_KEY": key, "ORIGIN": "https://profilarr.example"},
                        volumes=volumes)
    wait_healthy(again)
    status, _, text = profilarr_call(f"{url}/api/v1/arr", key)
    assert status == 200 and [(i["id"], i["name"], i["tags"]) for i in json.loads(text)] == [(1, "Radarr", "[]")]
    assert "api_key" not in text
    assert profilarr_call(f"{url}/arr/1/settings?/delete", key, {}, origin=url)[0] == 403
    status, _, text = profilarr_call(f"{url}/arr/1/settings?/delete", key, {}, origin="https://profilarr.example")
    assert json.loads(text)["type"] == "redirect", text
    assert "violation" not in again.logs().decode()


def test_flaresolverr_sessions_and_seerr_api_key(run_standin, tmp_path: Path) -> None:
    flaresolverr = run_standin("flaresolverr")
    seerr = run_standin("seerr", environment={"API_KEY": "seeded-key"},
                        volumes={str(tmp_path): {"bind": "/app/config", "mode": "rw"}})
    wait_healthy(flaresolverr)
    status, text = http("POST", f"http://{ADDRESSES['flaresolverr']}:8191/v1", {"cmd": "sessions.list"})
    assert status == 200 and '"status": "ok"' in text, text
    status, text = http("POST", f"http://{ADDRESSES['flaresolverr']}:8191/v1", {"cmd": "request.get", "url": "x"})
    assert status == 500 and '"status": "error"' in text
    wait_healthy(seerr)
    assert '"apiKey": "seeded-key"' in (tmp_path / "settings.json").read_text()


def test_radarr_uses_the_api_key_seeded_in_config_xml(run_standin, tmp_path: Path) -> None:
    key = secrets.token_hex(16)
    (tmp_path / "config.xml").write_text(f"<Config><ApiKey>{key}</ApiKey></Config>")
    radarr = run_standin("radarr", environment={"PUID": "1234", "PGID": "1234", "UMASK": "002"},
                         volumes={str(tmp_path): {"bind": "/config", "mode": "rw"}})
    wait_healthy(radarr)
    url = f"http://{ADDRESSES['radarr']}:7878"
    assert http("GET", f"{url}/ping") == (200, '{"status": "OK"}')
    status, text = http("GET", f"{url}/api/v3/system/status", headers={"X-Api-Key": key})
    assert status == 200 and '"appName": "Radarr"' in text, text
    assert http("GET", f"{url}/api/v3/system/status", headers={"X-Api-Key": "wrong"})[0] == 401
    config = ET.parse(tmp_path / "config.xml").getroot()
    assert config.findtext("ApiKey") == key          # kept, and the missing defaults were added
    assert config.findtext("Port") == "7878" and config.findtext("BindAddress") == "*"
    assert os.stat(tmp_path / "config.xml").st_uid == 1234
    assert "OpenAPI violation" not in radarr.logs().decode()


def test_prowlarr_generates_and_keeps_a_missing_key_and_honours_the_env_override(run_standin,
                                                                                   tmp_path: Path) -> None:
    volumes = {str(tmp_path): {"bind": "/config", "mode": "rw"}}
    prowlarr = run_standin("prowlarr", volumes=volumes)
    wait_healthy(prowlarr)
    key = ET.parse(tmp_path / "config.xml").getroot().findtext("ApiKey")
    assert re.fullmatch(r"[0-9a-f]{32}", key or ""), key
    url = f"http://{ADDRESSES['prowlarr']}:9696/api/v1/system/status"
    assert http("GET", url, headers={"X-Api-Key": key})[0] == 200
    tags = f"http://{ADDRESSES['prowlarr']}:9696/api/v1/tag"
    assert http("POST", tags, {"label": "kept"}, {"X-Api-Key": key})[0] == 201
    prowlarr.restart(timeout=5)
    wait_healthy(prowlarr)
    assert http("GET", url, headers={"X-Api-Key": key})[0] == 200     # persisted, not regenerated
    prowlarr.remove(force=True)
    override = run_standin("prowlarr", environment={"PROWLARR__AUTH__APIKEY": "env-key-0123456789abcdef"},
                           volumes=volumes)
    wait_healthy(override)
    assert http("GET", url, headers={"X-Api-Key": "env-key-0123456789abcdef"})[0] == 200
    assert http("GET", url, headers={"X-Api-Key": key})[0] == 401
    # What the real app keeps in its database, a new container on the same volume finds.
    status, text = http("GET", tags, headers={"X-Api-Key": "env-key-0123456789abcdef"})
    assert status == 200 and [t["label"] for t in json.loads(text)] == ["kept"], text
    assert ET.parse(tmp_path / "config.xml").getroot().findtext("ApiKey") == key   # env is not written back


def test_qbittorrent_in_the_gluetun_namespace(run_standin, tmp_path: Path) -> None:
    gluetun = run_standin("gluetun", name="standin-gluetun", cap_add=["NET_ADMIN"],
                          devices=["/dev/net/tun:/dev/net/tun"], environment=gluetun_env())
    wait_healthy(gluetun)
    qbt = run_standin("qbittorrent", name="standin-qbittorrent", network_mode=f"container:{gluetun.id}",
                      environment={"PUID": "1234", "PGID": "1234", "UMASK": "002", "TORRENTING_PORT": "51413"},
                      volumes={str(tmp_path): {"bind": "/config", "mode": "rw"}})
    wait_healthy(qbt)
    webui = f"http://{ADDRESSES['gluetun']}:8080"
    assert http("GET", f"{webui}/api/v2/app/version")[0] == 403            # answers; needs a login
    conf = tmp_path / "qBittorrent" / "qBittorrent.conf"
    text = conf.read_text()
    assert "[LegalNotice]\nAccepted=true" in text and "Session\\Port=51413" in text
    assert os.stat(conf).st_uid == 1234

    # The only way out is tun0: `ip route get` computes a route and sends nothing.
    assert "dev tun0" in exec_out(qbt, "ip", "route", "get", "1.1.1.1")
    defaults = exec_out(qbt, "ip", "-4", "route", "show", "default").splitlines()
    assert [line.split()[:3] for line in defaults] == [["default", "dev", "tun0"]], defaults
    assert "dev eth0" in exec_out(qbt, "ip", "route", "get", GATEWAY)     # the local subnet stays on eth0
    rules = exec_out(gluetun, "iptables", "-S")
    for rule in ("-P INPUT DROP", "-P OUTPUT DROP", "-P FORWARD DROP", "-A OUTPUT -o tun0 -j ACCEPT",
                 "-A OUTPUT -o lo -j ACCEPT", "-A INPUT -i tun0 -p tcp -m tcp --dport 51413 -j ACCEPT"):
        assert rule in rules, rules
    assert re.search(r"-A OUTPUT -s 172\.31\.250\.2/32 -d 172\.31\.250\.0/24 -o eth0 -j ACCEPT", rules), rules

    control = f"http://{ADDRESSES['gluetun']}:8000"
    auth = {"X-API-Key": CONTROL_KEY}
    assert http("GET", f"{control}/v1/publicip/ip")[0] == 401
    assert http("GET", f"{control}/v1/openvpn/portforwarded", headers=auth) == (200, '{"port": 51413}')
    assert http("GET", f"{control}/v1/vpn/status", headers=auth) == (200, '{"status": "running"}')
    status, text = http("GET", f"{control}/v1/publicip/ip", headers=auth)
    assert status == 200 and '"country": "Netherlands"' in text

    # Kill switch: with the VPN stopped there is no route out at all, and it comes back when started.
    assert http("PUT", f"{control}/v1/vpn/status", {"status": "stopped"}, auth)[0] == 200
    code, output = qbt.exec_run(["ip", "route", "get", "1.1.1.1"])
    assert code != 0 and b"unreachable" in output, output
    assert http("PUT", f"{control}/v1/vpn/status", {"status": "running"}, auth)[0] == 200
    assert "dev tun0" in exec_out(qbt, "ip", "route", "get", "1.1.1.1")


@pytest.mark.parametrize(("key", "message"), [
    ("not-base64!", "private key is not valid"),
    (base64.b64encode(b"too short").decode(), "private key is not valid: incorrect key size: 9"),
    ("", "private key is not set"),
])
def test_gluetun_refuses_a_bad_wireguard_key(run_standin, key: str, message: str) -> None:
    gluetun = run_standin("gluetun", cap_add=["NET_ADMIN"], devices=["/dev/net/tun:/dev/net/tun"],
                          environment=gluetun_env(WIREGUARD_PRIVATE_KEY=key))
    assert gluetun.wait(timeout=30)["StatusCode"] == 1
    assert message in gluetun.logs().decode()
