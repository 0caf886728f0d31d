"""python -m tests.standins build [--force] [--app APP ...] | list | clean | engine"""
from __future__ import annotations

import argparse
import json
import sys

from tests.standins.builder import STANDINS, StandInBuildError, build, images, remove_all
from tests.standins.engine import EngineError, ensure_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.standins", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the missing images (all with --force); print {app: image}")
    build_cmd.add_argument("--force", action="store_true", help="rebuild even when an image of the same inputs exists")
    build_cmd.add_argument("--app", action="append", choices=sorted(STANDINS), help="only these (repeatable)")
    commands.add_parser("list", help="print {app: image} as the current inputs name them (no build)")
    commands.add_parser("clean", help="remove every mediastack-standin image (the next build is cold)")
    commands.add_parser("engine", help="install docker.io and debootstrap if missing, start dockerd if needed")
    args = parser.parse_args(argv)
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    try:
        if args.command == "list":
            print(json.dumps(images(), indent=2))
            return 0
        client = ensure_engine()
        if args.command == "build":
            print(json.dumps(build(client, args.app, force=args.force, log=log).images, indent=2))
        elif args.command == "clean":
            remove_all(client, log=log)
        else:
            log(f"docker {client.version()['Version']} is running")
    except (EngineError, StandInBuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
