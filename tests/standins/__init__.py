"""Stand-in images for the stack scenario: local Docker images that replace the upstream images of the media
stack (which cannot be pulled here) and read the same configuration layout. See builder.py for how they are
built and reused, images/*/ for what each one answers, and engine.py for the Docker engine itself.

    python -m tests.standins build [--force] [--app APP ...]   build (or reuse) and print {app: image}
    python -m tests.standins list | clean | engine
"""
from tests.standins.builder import STANDINS, BuildResult, StandIn, StandInBuildError, build, images, specs_mount
from tests.standins.engine import EngineError, ensure_engine

__all__ = ["STANDINS", "BuildResult", "EngineError", "StandIn", "StandInBuildError", "build", "ensure_engine",
           "images", "specs_mount"]
