#!/bin/sh
# The entrypoint of ghcr.io/maxmind/geoipupdate (maxmind/geoipupdate docker/entry.sh, v7.1.1), rewritten for the
# stand-in. Mirrors it: GEOIPUPDATE_DB_DIR defaults to /usr/share/GeoIP; GEOIPUPDATE_ACCOUNT_ID(_FILE),
# GEOIPUPDATE_LICENSE_KEY(_FILE) and GEOIPUPDATE_EDITION_IDS are required (same messages, exit 1); no config
# file (GEOIPUPDATE_CONF_FILE=""), so geoipupdate reads only its GEOIPUPDATE_* variables (HOST, VERBOSE,
# PRESERVE_FILE_TIMES, PROXY, RETRY_FOR, ...); `geoipupdate --output` goes to /tmp/geoipupdate/.healthcheck;
# GEOIPUPDATE_FREQUENCY hours between runs, 0 or unset = run once and exit with geoipupdate's status (set -e);
# SIGTERM stops the sleep and exits 143.
set -e

pid=0
term_handler() {
  if [ "$pid" -ne 0 ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
  fi
  exit 143
}
trap term_handler TERM

log_dir=/tmp/geoipupdate
log_file="$log_dir/.healthcheck"
frequency=$((${GEOIPUPDATE_FREQUENCY:-0} * 60 * 60))
export GEOIPUPDATE_CONF_FILE=""

if [ -z "$GEOIPUPDATE_DB_DIR" ]; then
  export GEOIPUPDATE_DB_DIR=/usr/share/GeoIP
fi
if [ -z "$GEOIPUPDATE_ACCOUNT_ID" ] && [ -z "$GEOIPUPDATE_ACCOUNT_ID_FILE" ]; then
  echo "ERROR: You must set the environment variable GEOIPUPDATE_ACCOUNT_ID or GEOIPUPDATE_ACCOUNT_ID_FILE!"
  exit 1
fi
if [ -z "$GEOIPUPDATE_LICENSE_KEY" ] && [ -z "$GEOIPUPDATE_LICENSE_KEY_FILE" ]; then
  echo "ERROR: You must set the environment variable GEOIPUPDATE_LICENSE_KEY or GEOIPUPDATE_LICENSE_KEY_FILE!"
  exit 1
fi
if [ -z "$GEOIPUPDATE_EDITION_IDS" ]; then
  echo "ERROR: You must set the environment variable GEOIPUPDATE_EDITION_IDS!"
  exit 1
fi

mkdir -p "$log_dir"

while true; do
  echo "# STATE: Running geoipupdate"
  /usr/bin/geoipupdate --output 1>"$log_file"
  if [ "$frequency" -eq 0 ]; then
    break
  fi
  echo "# STATE: Sleeping for $GEOIPUPDATE_FREQUENCY hours"
  sleep "$frequency" &
  pid=$!
  wait "$pid"
done
