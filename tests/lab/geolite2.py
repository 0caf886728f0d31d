"""Lab GeoLite2-Country databases: real MaxMind DB files (written with the mmdb-writer package), the record
layout of MaxMind's GeoLite2-Country, for the TEST-NET ranges the lab's clients come from.

Version 1: 203.0.113.0/24 = SG, 198.51.100.0/24 = RU. Version 2 (an update): 203.0.113.0/24 moves to RU.
Like MaxMind's files they are IPv6 databases with the IPv4 space at ::/96, so readers look IPv4 up as usual.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mmdb_writer import MmdbU32, MMDBWriter
from netaddr import IPSet

EDITION = "GeoLite2-Country"
LANGUAGES = ["de", "en", "ru"]
# GeoNames IDs and names as GeoLite2 has them.
CONTINENTS = {"AS": (6255147, {"de": "Asien", "en": "Asia", "ru": "Азия"}),
              "EU": (6255148, {"de": "Europa", "en": "Europe", "ru": "Европа"})}
COUNTRIES = {"SG": (1880251, "AS", {"de": "Singapur", "en": "Singapore", "ru": "Сингапур"}),
             "RU": (2017370, "EU", {"de": "Russland", "en": "Russia", "ru": "Россия"})}
VERSIONS: dict[int, dict[str, str]] = {
    1: {"203.0.113.0/24": "SG", "198.51.100.0/24": "RU"},
    2: {"203.0.113.0/24": "RU", "198.51.100.0/24": "RU"},
}
# A fixed build time per version, so the same version is the same file (same MD5) on every machine.
BUILD_EPOCH = {1: 1767225600, 2: 1767571200}


def record(iso_code: str) -> dict[str, Any]:
    """What GeoLite2-Country holds for an address of that country."""
    geoname_id, continent, names = COUNTRIES[iso_code]
    continent_id, continent_names = CONTINENTS[continent]
    country = {"geoname_id": MmdbU32(geoname_id), "iso_code": iso_code, "names": names}
    return {"continent": {"code": continent, "geoname_id": MmdbU32(continent_id), "names": continent_names},
            "country": country, "registered_country": dict(country)}


class _Writer(MMDBWriter):
    def __init__(self, build_epoch: int) -> None:
        super().__init__(ip_version=6, ipv4_compatible=True, database_type=EDITION, languages=LANGUAGES,
                         description=dict.fromkeys(LANGUAGES, "GeoLite2 Country database (mediastack lab)"))
        self._build_epoch = build_epoch

    def _build_meta(self) -> dict[str, Any]:
        return {**super()._build_meta(), "build_epoch": self._build_epoch}


def write(path: Path, version: int = 1) -> Path:
    """Write lab version `version` to `path` (via a temporary file and a rename, as geoipupdate does)."""
    writer = _Writer(BUILD_EPOCH[version])
    for network, iso_code in VERSIONS[version].items():
        writer.insert_network(IPSet([network]), record(iso_code))
    temporary = path.with_name(path.name + ".temporary")
    writer.to_db_file(str(temporary))
    temporary.replace(path)
    return path
