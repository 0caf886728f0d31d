"""Builds the stand-in images once per machine and reuses them.

Every image is tagged with a hash of its build inputs (`mediastack-standin/<app>:<hash>`), so an image is
rebuilt only when an input changes, and `:latest` points to the newest build. The base is a debootstrap
root file system (bookworm, minbase, plus BASE_PACKAGES) imported with `docker import`; the Debian mirror is
read from the host's apt sources at build time (or $MEDIASTACK_DEBIAN_MIRROR), never written in the repo.

Inputs of an app image: the base tag, its directory under images/ (Dockerfile and scripts), images/common,
its build arguments, the name@version of each artifact (geoipupdate, built from its Go module) and, for the
emulator stand-ins (radarr, prowlarr, jellyfin, seerr, profilarr), tests/emulators and the installed distributions
of openapi-core and its dependencies (copied from this interpreter's site-packages: the same versions the emulator
self-tests run with). The OpenAPI documents are not an input: they are mounted at run time (Profilarr has none).
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import docker
from docker.errors import BuildError, ImageNotFound
from packaging.requirements import Requirement

from tests.lab.go_programs import GoBuildError, geoipupdate

NAMESPACE = "mediastack-standin"
RECIPE = "1"   # bump when the way images are made changes without any input file changing
SUITE = "bookworm"
BASE_PACKAGES = ("python3", "iproute2", "iptables")
HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"
REPO = HERE.parents[1]
LOCK = Path(os.environ.get("MEDIASTACK_STANDIN_LOCK", "/var/tmp/mediastack-standin.lock"))
MIRROR_ENV = "MEDIASTACK_DEBIAN_MIRROR"
EMULATOR_DISTRIBUTIONS = ("openapi-core",)
CONTAINER_SPECS_DIR = "/specs"


@dataclass(frozen=True)
class Artifact:
    """A file made outside the repository (a program built from its upstream source), copied into the build
    context as `name`. Its `key` (name@version) is what the image hash includes: an image ref is computed
    without making the file, and `make` (which caches) runs only when the image is built."""
    name: str
    key: str
    make: Callable[[], Path]


@dataclass(frozen=True)
class StandIn:
    app: str
    directory: str                       # under images/
    port: int                            # the port the upstream image listens on (0: none)
    build_args: tuple[tuple[str, str], ...] = ()
    emulator: bool = False               # carries tests/emulators; gets the OpenAPI documents mounted
    artifacts: tuple[Artifact, ...] = ()


def _geoipupdate() -> tuple[Artifact, ...]:
    program = geoipupdate()
    return (Artifact(program.name, program.key, program.binary),)


STANDINS: dict[str, StandIn] = {s.app: s for s in (
    StandIn("gluetun", "gluetun", 8000),
    StandIn("qbittorrent", "qbittorrent", 8080),
    StandIn("radarr", "arr", 7878, (("APP", "radarr"), ("PORT", "7878")), emulator=True),
    StandIn("prowlarr", "arr", 9696, (("APP", "prowlarr"), ("PORT", "9696")), emulator=True),
    StandIn("flaresolverr", "flaresolverr", 8191),
    StandIn("profilarr", "profilarr", 6868, emulator=True),
    StandIn("seerr", "seerr", 5055, emulator=True),
    StandIn("jellyfin", "jellyfin", 8096, emulator=True),
    StandIn("crowdsec", "crowdsec", 8080),
    StandIn("geoipupdate", "geoipupdate", 0, artifacts=_geoipupdate()),
)}


class StandInBuildError(RuntimeError):
    """A stand-in image could not be built; the message carries the tail of the build output."""


@dataclass
class BuildResult:
    images: dict[str, str]                                  # app -> mediastack-standin/<app>:<hash>
    built: list[str] = field(default_factory=list)          # what had to be built this time ("base" included)
    seconds: float = 0.0


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


# -- the base ----------------------------------------------------------------------------------------------------

def debian_mirror() -> str:
    """The first `deb` source of the host that serves SUITE main (one-line or deb822 format)."""
    if os.environ.get(MIRROR_ENV):
        return os.environ[MIRROR_ENV].rstrip("/")
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*.list")),
               *sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))]
    for path in sources:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.M))
                if ("deb" in fields.get("Types", "").split() and SUITE in fields.get("Suites", "").split()
                        and "main" in fields.get("Components", "").split() and fields.get("Enabled") != "no"):
                    return fields["URIs"].split()[0].rstrip("/")
        else:
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line).split()
                if len(words) >= 4 and words[0] == "deb" and words[2] == SUITE and "main" in words[3:]:
                    return words[1].rstrip("/")
    raise StandInBuildError(f"no apt source for {SUITE} main on this host; set {MIRROR_ENV}")


def base_ref() -> str:
    inputs = {"suite": SUITE, "variant": "minbase", "include": sorted(BASE_PACKAGES), "mirror": debian_mirror(),
              "recipe": RECIPE}
    return f"{NAMESPACE}/base:{_digest([json.dumps(inputs, sort_keys=True).encode()])}"


def _build_base(client: docker.DockerClient, ref: str, log: Callable[[str], None]) -> None:
    mirror = debian_mirror()
    with tempfile.TemporaryDirectory(prefix="standin-base-", dir="/var/tmp") as tmp:
        root = Path(tmp) / "rootfs"
        cmd = ["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", SUITE, str(root), mirror]
        log(f"base: {' '.join(cmd)}")
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise StandInBuildError(f"debootstrap failed ({result.returncode}):\n{result.stdout[-3000:]}"
                                    f"{result.stderr[-2000:]}")
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (root / leftover).glob("*"):
                if item.is_file():
                    item.unlink()
        tarball = Path(tmp) / "rootfs.tar"
        subprocess.run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(tarball), "."], check=True)
        repository, tag = ref.rsplit(":", 1)
        client.api.import_image_from_file(str(tarball), repository=repository, tag=tag, changes=[
            "ENV LANG=C.UTF-8", 'CMD ["/bin/bash"]', f"LABEL mediastack.standin.inputs={tag}"])


# -- app images --------------------------------------------------------------------------------------------------

def _distributions(names: Iterable[str]) -> list[importlib.metadata.Distribution]:
    """The named distributions and everything they require (no extras), as installed here."""
    found: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        dist = importlib.metadata.distribution(todo.pop())
        key = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if key in found:
            continue
        found[key] = dist
        for requirement in map(Requirement, dist.requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return [found[key] for key in sorted(found)]


def _site_files() -> Iterator[tuple[str, Path]]:
    for dist in _distributions(EMULATOR_DISTRIBUTIONS):
        for item in dist.files or []:
            if item.parts[0] == ".." or "__pycache__" in item.parts:
                continue
            yield f"site/{item.as_posix()}", Path(str(dist.locate_file(item)))


def context_files(standin: StandIn) -> dict[str, Path]:
    """Build-context path -> source file."""
    files = {"standin.py": IMAGES / "common" / "standin.py"}
    files.update({p.name: p for p in sorted((IMAGES / standin.directory).iterdir()) if p.is_file()})
    if standin.emulator:
        emulators = REPO / "tests" / "emulators"
        files.update({f"tests/emulators/{p.name}": p for p in sorted(emulators.glob("*.py"))
                      if p.name != "fixtures.py"})     # fixtures.py is pytest's, not the server's
        files.update(_site_files())
    return files


def image_ref(app: str, base: str | None = None) -> str:
    """mediastack-standin/<app>:<hash of its inputs> (computed, not built)."""
    standin = STANDINS[app]
    base = base or base_ref()
    files = context_files(standin)
    parts = [RECIPE.encode(), base.encode(), json.dumps(standin.build_args).encode(),
             *(f"{artifact.name}={artifact.key}".encode() for artifact in standin.artifacts)]
    for path in sorted(files):
        parts += [path.encode(), files[path].read_bytes()]
    return f"{NAMESPACE}/{app}:{_digest(parts)}"


def _build_app(client: docker.DockerClient, app: str, ref: str, base: str) -> None:
    standin = STANDINS[app]
    with tempfile.TemporaryDirectory(prefix=f"standin-{app}-", dir="/var/tmp") as tmp:
        for path, source in context_files(standin).items():
            target = Path(tmp) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        for artifact in standin.artifacts:
            try:
                shutil.copy2(artifact.make(), Path(tmp) / artifact.name)
            except GoBuildError as exc:
                raise StandInBuildError(f"{app}: {exc}") from None
        if standin.emulator:
            (Path(tmp) / "tests" / "__init__.py").write_text("")
        docker_build(client, app, tmp, ref, {"BASE": base, **dict(standin.build_args)})


def docker_build(client: docker.DockerClient, name: str, context: str, ref: str, buildargs: dict[str, str]) -> None:
    """`docker build` of a prepared context into `ref`, labelled with it; a failure carries the build's tail."""
    try:
        client.images.build(path=context, tag=ref, buildargs=buildargs, rm=True, forcerm=True, pull=False,
                            labels={"mediastack.standin.inputs": ref})
    except BuildError as exc:
        output = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in exc.build_log)
        raise StandInBuildError(f"{name}: docker build failed: {exc.msg}\n{output[-3000:]}") from None


def _exists(client: docker.DockerClient, ref: str) -> bool:
    try:
        client.images.get(ref)
    except ImageNotFound:
        return False
    return True


def _tag_latest(client: docker.DockerClient, ref: str) -> None:
    repository = ref.rsplit(":", 1)[0]
    client.images.get(ref).tag(repository, "latest")


@contextmanager
def _machine_lock() -> Iterator[None]:
    """One builder at a time on this machine (parallel pytest workers, a molecule run)."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_base(client: docker.DockerClient, force: bool, result: BuildResult, log: Callable[[str], None]) -> str:
    base = base_ref()
    if force or not _exists(client, base):
        step = time.monotonic()
        _build_base(client, base, log)
        result.built.append("base")
        log(f"base: {base} built in {time.monotonic() - step:.1f} s")
    _tag_latest(client, base)
    return base


def ensure_base(client: docker.DockerClient, log: Callable[[str], None] = print) -> str:
    """The base image's reference, built first if missing (for images made from it outside STANDINS)."""
    with _machine_lock():
        return _ensure_base(client, False, BuildResult(images={}), log)


def build(client: docker.DockerClient, apps: Iterable[str] | None = None, force: bool = False,
          log: Callable[[str], None] = print) -> BuildResult:
    """Build what is missing (everything with force) and return {app: image} for the test inventory."""
    started = time.monotonic()
    apps = list(apps or STANDINS)
    unknown = sorted(set(apps) - set(STANDINS))
    if unknown:
        raise ValueError(f"unknown stand-in(s) {unknown}; known: {sorted(STANDINS)}")
    result = BuildResult(images={})
    with _machine_lock():
        base = _ensure_base(client, force, result, log)
        for app in apps:
            ref = image_ref(app, base)
            if force or not _exists(client, ref):
                step = time.monotonic()
                _build_app(client, app, ref, base)
                result.built.append(app)
                log(f"{app}: {ref} built in {time.monotonic() - step:.1f} s")
            _tag_latest(client, ref)
            result.images[app] = ref
    result.seconds = time.monotonic() - started
    log(f"stand-ins ready in {result.seconds:.1f} s (built: {', '.join(result.built) or 'nothing, all reused'})")
    return result


def images(apps: Iterable[str] | None = None) -> dict[str, str]:
    """{app: image} as `build` would tag it now, without building (for inventories of already built images)."""
    base = base_ref()
    return {app: image_ref(app, base) for app in (apps or STANDINS)}


def remove_all(client: docker.DockerClient, log: Callable[[str], None] = print) -> list[str]:
    """Remove every mediastack-standin image (containers using them must be gone): the next build is cold."""
    removed = []
    for image in client.images.list():
        for tag in image.tags:
            if tag.startswith(f"{NAMESPACE}/"):
                client.images.remove(tag, noprune=False)
                removed.append(tag)
    log(f"removed {len(removed)} tag(s)")
    return removed


def specs_mount(specs_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """The read-only bind mount the emulator stand-ins need (docker SDK `volumes=` form)."""
    from tests.emulators.spec import SpecMissing
    from tests.emulators.spec import specs_dir as default_specs_dir

    source = (specs_dir or default_specs_dir()).resolve()
    if not source.is_dir():
        raise SpecMissing(f"OpenAPI documents not found in {source}: the emulator stand-ins need them "
                          f"mounted at {CONTAINER_SPECS_DIR}")
    return {str(source): {"bind": CONTAINER_SPECS_DIR, "mode": "ro"}}
