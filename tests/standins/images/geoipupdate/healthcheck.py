"""The health check of ghcr.io/maxmind/geoipupdate (docker/healthcheck.sh, which uses jq; the Debian base has
python3): healthy when every edition of GEOIPUPDATE_EDITION_IDS was checked within GEOIPUPDATE_FREQUENCY hours
plus 2 minutes, according to the last `geoipupdate --output` in /tmp/geoipupdate/.healthcheck."""
import json
import os
import sys
import time

cutoff = time.time() - (int(os.environ.get("GEOIPUPDATE_FREQUENCY") or 0) * 3600 + 120)
try:
    with open("/tmp/geoipupdate/.healthcheck") as log:
        results = json.load(log)
except (OSError, ValueError) as exc:
    sys.exit(f"no result of geoipupdate yet: {exc}")
checked = [r["edition_id"] for r in results if r.get("checked_at", 0) > cutoff]
desired = os.environ.get("GEOIPUPDATE_EDITION_IDS", "").split()
if len(checked) != len(desired):
    sys.exit(f"healthcheck editions number {len(checked)} is less than the desired editions number {len(desired)}")
