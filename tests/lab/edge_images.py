"""The stand-ins of Caddy's official images, so that roles/caddy's own Dockerfile is built here unchanged:
`caddy:<version>-builder` (Go and xcaddy, module cache warmed with the plugins the role pins) and
`caddy:<version>` (the runtime layout). Both are built from the stand-in base (tests/standins), once per set
of inputs (tagged mediastack-standin/caddy-builder:<hash>, reused while the inputs are unchanged).

The versions are read from roles/caddy/defaults/main.yml, so the lab cannot drift from production. Go is this
machine's toolchain, xcaddy is built from the Go module proxy (cached by version); the proxy settings are the
machine's own `go env` values, passed as build arguments and never written in the repository.

Not built: the GeoIP matcher (github.com/porech/caddy-maxmind-geolocation). The Go module proxy here refuses
every version of it ("This module version is not available"), so the lab runs Caddy with GeoIP off.

    python -m tests.lab.edge_images     # build what is missing, print {variable: image} for the inventory
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docker
import yaml
from docker.errors import ImageNotFound

from tests.lab.go_programs import GoProgram
from tests.standins.builder import NAMESPACE, REPO, StandInBuildError, _digest, docker_build, ensure_base
from tests.standins.engine import ensure_engine

HERE = Path(__file__).resolve().parent
XCADDY_VERSION = "v0.4.5"        # the newest xcaddy the module proxy serves here
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
# The proxy's checksum database has no entry for the bouncer's module (a 404 from the lookup); everything
# else is verified as usual.
GONOSUMDB = "github.com/hslatman/caddy-crowdsec-bouncer"


def caddy_pins() -> dict[str, str]:
    defaults = yaml.safe_load((REPO / "roles" / "caddy" / "defaults" / "main.yml").read_text())
    return {"version": defaults["caddy_version"], "plugins": defaults["caddy_crowdsec_plugin"]}


def _go(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["go", *args], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, "GOTOOLCHAIN": "local", **(env or {})})
    if result.returncode != 0:
        raise StandInBuildError(f"go {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


def xcaddy() -> Path:
    """xcaddy at XCADDY_VERSION, built once per machine from the Go module proxy."""
    return GoProgram("xcaddy", "github.com/caddyserver/xcaddy", "cmd/xcaddy", XCADDY_VERSION).binary()


def _build(client: docker.DockerClient, name: str, base: str, args: dict[str, str], extra: dict[str, Path],
           versions: dict[str, str], log: Callable[[str], None]) -> str:
    """mediastack-standin/<name>:<hash of the inputs>, built from images/<name> unless it exists; `extra` are
    files or trees copied into the context, `versions` say which (they are hashed, the trees are not)."""
    dockerfile = HERE / "images" / name / "Dockerfile"
    inputs = [base.encode(), dockerfile.read_bytes(), json.dumps([args, versions], sort_keys=True).encode()]
    ref = f"{NAMESPACE}/{name}:{_digest(inputs)}"
    try:
        client.images.get(ref)
        return ref
    except ImageNotFound:
        pass
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"standin-{name}-", dir="/var/tmp") as tmp:
        shutil.copy2(dockerfile, Path(tmp) / "Dockerfile")
        for target, source in extra.items():
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, Path(tmp) / target)
        docker_build(client, name, tmp, ref, {"BASE": base, **args})
    client.images.get(ref).tag(f"{NAMESPACE}/{name}", "latest")
    log(f"{name}: {ref} built in {time.monotonic() - started:.1f} s")
    return ref


def build_edge_images(client: docker.DockerClient, log: Callable[[str], None] = print) -> dict[str, str]:
    """{caddy_builder_image, caddy_base_image} for the test inventory, built if missing."""
    base = ensure_base(client, log)
    pins = caddy_pins()
    builder_args = {"GOPROXY": _go("env", "GOPROXY"), "GONOSUMDB": GONOSUMDB, "CADDY_VERSION": pins["version"],
                    "CADDY_PLUGINS": pins["plugins"]}
    toolchain = {"go": _go("env", "GOVERSION"), "xcaddy": XCADDY_VERSION,
                 "ca": hashlib.sha256(HOST_CA.read_bytes()).hexdigest()}
    extra = {"go": Path(_go("env", "GOROOT")), "xcaddy": xcaddy(), "host-ca-certificates.crt": HOST_CA}
    return {"caddy_builder_image": _build(client, "caddy-builder", base, builder_args, extra, toolchain, log),
            "caddy_base_image": _build(client, "caddy-base", base, {}, {}, {}, log)}


def main() -> int:
    try:
        print(json.dumps(build_edge_images(ensure_engine(), log=lambda line: print(line, file=sys.stderr)), indent=2))
    except StandInBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
