"""The lab pieces of GeoIP without Docker: the lab GeoLite2-Country databases read back with MaxMind's reader,
and the lab update server answering the real geoipupdate (built from its Go module at the role's pinned version)
on 127.0.0.1."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import tarfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import maxminddb
import pytest

from tests.lab import geoip_update_server, geolite2
from tests.lab.go_programs import geoipupdate

ACCOUNT, KEY = "424242", "lab_license_key_0123456789"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[geoip_update_server.UpdateServer]:
    served = tmp_path / "served"
    served.mkdir()
    geolite2.write(served / f"{geolite2.EDITION}.mmdb", 1)
    running = geoip_update_server.start(served, ACCOUNT, KEY)
    yield running
    running.shutdown()
    running.server_close()


def get(server: geoip_update_server.UpdateServer, path: str, credentials: str = f"{ACCOUNT}:{KEY}"
        ) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(f"http://127.0.0.1:{server.server_address[1]}{path}", headers={
        "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()})
    try:
        with _OPENER.open(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def test_lab_databases_are_geolite2_country(tmp_path: Path) -> None:
    for version, expected in ((1, {"203.0.113.5": "SG", "198.51.100.7": "RU"}),
                              (2, {"203.0.113.5": "RU", "198.51.100.7": "RU"})):
        path = geolite2.write(tmp_path / f"v{version}.mmdb", version)
        with maxminddb.open_database(str(path)) as reader:
            assert reader.metadata().database_type == "GeoLite2-Country"
            assert reader.metadata().ip_version == 6
            assert {ip: reader.get(ip)["country"]["iso_code"] for ip in expected} == expected
            assert reader.get("192.0.2.1") is None           # not in the lab database: Caddy's UNK
            record = reader.get("203.0.113.5")
        assert set(record) == {"continent", "country", "registered_country"}
        assert record["country"]["names"]["en"] in ("Singapore", "Russia") and record["country"]["geoname_id"] > 0
    # The same version is the same file everywhere (a fixed build time).
    again = geolite2.write(tmp_path / "again.mmdb", 1)
    assert again.read_bytes() == (tmp_path / "v1.mmdb").read_bytes()


def test_lab_server_speaks_the_v7_protocol(server) -> None:
    content = (server.directory / f"{geolite2.EDITION}.mmdb").read_bytes()
    status, body, _ = get(server, f"/geoip/updates/metadata?edition_id={geolite2.EDITION}")
    assert status == 200
    [entry] = json.loads(body)["databases"]
    assert entry["edition_id"] == geolite2.EDITION and entry["md5"] == hashlib.md5(content).hexdigest()
    date = entry["date"].replace("-", "")
    status, body, headers = get(server, f"/geoip/databases/{geolite2.EDITION}/download?date={date}&suffix=tar.gz")
    assert status == 200 and headers["Last-Modified"].endswith(" GMT")
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        member = archive.extractfile(f"{geolite2.EDITION}_{date}/{geolite2.EDITION}.mmdb")
        assert member is not None and member.read() == content
    assert get(server, f"/geoip/updates/metadata?edition_id={geolite2.EDITION}", f"{ACCOUNT}:wrong")[0] == 401
    assert get(server, "/geoip/updates/metadata?edition_id=GeoLite2-City")[0] == 400


def test_real_geoipupdate_downloads_then_only_checks(server, tmp_path: Path) -> None:
    databases = tmp_path / "db"
    databases.mkdir()
    env = {"PATH": os.environ["PATH"], "GEOIPUPDATE_CONF_FILE": "", "GEOIPUPDATE_ACCOUNT_ID": ACCOUNT,
           "GEOIPUPDATE_LICENSE_KEY": KEY, "GEOIPUPDATE_EDITION_IDS": geolite2.EDITION,
           "GEOIPUPDATE_DB_DIR": str(databases), "GEOIPUPDATE_RETRY_FOR": "0s",
           "GEOIPUPDATE_HOST": f"http://127.0.0.1:{server.server_address[1]}"}
    binary = str(geoipupdate().binary())
    for _ in range(2):
        run = subprocess.run([binary, "--output"], env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
    served = (server.directory / f"{geolite2.EDITION}.mmdb").read_bytes()
    assert (databases / f"{geolite2.EDITION}.mmdb").read_bytes() == served
    assert [r["path"].split("?")[0].rsplit("/", 1)[-1] for r in server.requests] == [
        "metadata", "download", "metadata"]
    assert all(r["user_agent"].startswith(f"geoipupdate/{geoipupdate().version} ") for r in server.requests)
    wrong = subprocess.run([binary], env={**env, "GEOIPUPDATE_LICENSE_KEY": "wrong"}, capture_output=True,
                           text=True, timeout=60)
    assert wrong.returncode != 0 and "401" in wrong.stderr, wrong.stderr
