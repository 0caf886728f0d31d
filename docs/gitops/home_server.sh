#!/usr/bin/env bash
# `sudo mediastack-gitops <arguments>` on the home server, for docs/gitops/workflow.yml, one of two ways:
#   MEDIASTACK_VIA=self-hosted  the job runs on the home server (a self-hosted runner): run it right here.
#   MEDIASTACK_VIA=ssh          from a GitHub-hosted runner over SSH, with MEDIASTACK_SSH_HOST,
#                               MEDIASTACK_SSH_USER, MEDIASTACK_SSH_PRIVATE_KEY and MEDIASTACK_SSH_KNOWN_HOSTS
#                               (both whole files, from secrets), MEDIASTACK_SSH_PORT (default 22).
# The key and known_hosts are written, mode 0600, to a directory of their own under RUNNER_TEMP, removed on
# exit. The host key must be in known_hosts: an unknown or changed one stops the connection.
set -euo pipefail

case "${MEDIASTACK_VIA:-}" in
  self-hosted)
    exec sudo -n mediastack-gitops "$@"
    ;;
  ssh)
    for name in MEDIASTACK_SSH_HOST MEDIASTACK_SSH_USER MEDIASTACK_SSH_PRIVATE_KEY MEDIASTACK_SSH_KNOWN_HOSTS; do
      if [ -z "${!name:-}" ]; then
        echo "home_server.sh: $name is empty: create the secret (mediastack/docs/gitops/README.md)" >&2
        exit 2
      fi
    done
    dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mediastack-ssh.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
    umask 077
    # A secret pasted on Windows has CRs, and one without its last newline is no key for OpenSSH.
    printf '%s\n' "${MEDIASTACK_SSH_PRIVATE_KEY//$'\r'/}" >"$dir/key"
    printf '%s\n' "${MEDIASTACK_SSH_KNOWN_HOSTS//$'\r'/}" >"$dir/known_hosts"
    # The remote shell reads one string: quote each argument for it.
    ssh -n -F none -i "$dir/key" -p "${MEDIASTACK_SSH_PORT:-22}" \
      -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
      -o UserKnownHostsFile="$dir/known_hosts" -o GlobalKnownHostsFile=/dev/null \
      -o ServerAliveInterval=30 -o ServerAliveCountMax=4 \
      -- "$MEDIASTACK_SSH_USER@$MEDIASTACK_SSH_HOST" "sudo -n mediastack-gitops$(printf ' %q' "$@")"
    ;;
  *)
    echo "home_server.sh: MEDIASTACK_VIA is '${MEDIASTACK_VIA:-}': set the repository variable to" \
      "self-hosted or ssh (mediastack/docs/gitops/README.md)" >&2
    exit 2
    ;;
esac
