#!/bin/sh
# The forced command of the CI's SSH key on the home server (docs/gitops/README.md, "Plan over SSH"):
# whatever the client asks, the key can only plan a commit or apply the default branch, the two commands
# docs/gitops/home_server.sh sends. Install it as /usr/local/sbin/mediastack-gitops-ssh (root-owned, 0755)
# and put it in front of the key in ~/.ssh/authorized_keys:
#   restrict,command="/usr/local/sbin/mediastack-gitops-ssh" ssh-ed25519 AAAA... mediastack-ci
set -eu

request=${SSH_ORIGINAL_COMMAND:-}
case "$request" in
  "sudo -n mediastack-gitops run --mode push")
    exec sudo -n mediastack-gitops run --mode push
    ;;
  "sudo -n mediastack-gitops plan --ref "*)
    ref=${request#"sudo -n mediastack-gitops plan --ref "}
    case "$ref" in
      *[!0-9a-f]*) ;;  # a commit id only: no branch name, no second argument, no shell
      *)
        if [ "${#ref}" -eq 40 ] || [ "${#ref}" -eq 64 ]; then
          exec sudo -n mediastack-gitops plan --ref "$ref"
        fi
        ;;
    esac
    ;;
esac
echo "mediastack-gitops-ssh: refused: '$request' (this key may only plan a commit or apply)" >&2
exit 1
