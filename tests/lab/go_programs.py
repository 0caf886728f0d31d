"""Upstream Go programs the lab runs for real, built through the machine's Go module proxy (`go env GOPROXY`,
never named here) at the version the roles pin, and cached by version under ~/.cache/mediastack-go/, so a
warm run does not build again. Only the module and its dependencies are fetched; nothing is committed."""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MEDIASTACK_GO_CACHE", Path.home() / ".cache" / "mediastack-go"))
BUILD_TIMEOUT = 600


class GoBuildError(RuntimeError):
    """The program could not be built; the message carries the go command and the tail of its output."""


@dataclass(frozen=True)
class GoProgram:
    name: str            # the binary's file name
    module: str          # module path (with its major version suffix)
    package: str         # the main package inside the module
    version: str         # vX.Y.Z

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def path(self) -> Path:
        return CACHE / f"{self.name}-{self.version}" / self.name

    def binary(self) -> Path:
        """The cached binary, built first when this machine has none for this version."""
        if self.path.is_file():
            return self.path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # `go install pkg@version` would ask the proxy for the module's version list (refused here for some
        # modules); a throwaway module with `go get` of the exact version only needs that version.
        env = {**os.environ, "GOTOOLCHAIN": "local", "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
        with tempfile.TemporaryDirectory(prefix=f"go-{self.name}-", dir=self.path.parent) as tmp:
            target = Path(tmp) / self.name
            for cmd in (["go", "mod", "init", f"mediastack.lab/{self.name}"],
                        ["go", "get", f"{self.module}/{self.package}@{self.version}"],
                        ["go", "build", "-trimpath", "-ldflags=-s -w", "-o", str(target),
                         f"{self.module}/{self.package}"]):
                try:
                    result = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True,
                                            timeout=BUILD_TIMEOUT)
                except (OSError, subprocess.TimeoutExpired) as exc:
                    raise GoBuildError(f"{self.key}: {' '.join(cmd)}: {exc}") from None
                if result.returncode != 0:
                    raise GoBuildError(f"{self.key}: {' '.join(cmd)} failed ({result.returncode}):\n"
                                       f"{(result.stdout + result.stderr)[-3000:]}")
            os.replace(target, self.path)          # atomic: a concurrent reader sees the whole file or none
        return self.path


def image_tag(defaults: Path, variable: str) -> str:
    """The tag of the image reference `variable` in a role's defaults/main.yml, as vX.Y.Z."""
    reference = str(yaml.safe_load(defaults.read_text())[variable])
    match = re.fullmatch(r"[^@]+:v?(\d+\.\d+\.\d+)", reference)
    if not match:
        raise GoBuildError(f"{defaults}: {variable} ({reference}) has no X.Y.Z tag to build from")
    return f"v{match.group(1)}"


def geoipupdate() -> GoProgram:
    """geoipupdate at the version of roles/geoip's geoip_image tag: the tests cannot drift from production."""
    version = image_tag(REPO / "roles" / "geoip" / "defaults" / "main.yml", "geoip_image")
    major = version.split(".")[0]
    return GoProgram("geoipupdate", f"github.com/maxmind/geoipupdate/{major}", "cmd/geoipupdate", version)

