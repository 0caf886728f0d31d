"""Work an emulated app does in threads of its own, as the real app's background jobs (Prowlarr's application
syncs, Radarr's command queue and download monitoring): started after the request that caused it, a failure
written to the app's log instead of killing the emulator."""
from __future__ import annotations

import threading
from collections.abc import Callable


class Background:
    def __init__(self, log: list[str], failure_prefix: str) -> None:
        self.log = log
        self.failure_prefix = failure_prefix
        self.threads: list[threading.Thread] = []

    def start(self, work: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=self._guarded, args=(work,), daemon=True, name=name)
        self.threads.append(thread)
        thread.start()

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 -- a lab bug must show in the log, not kill the emulator
            self.log.append(f"{self.failure_prefix}: {type(exc).__name__}: {exc}")

    def busy(self) -> bool:
        return any(thread.is_alive() for thread in self.threads)

    def join(self, timeout: float) -> None:
        """Until every thread started so far has ended; TimeoutError if one still runs after `timeout` s each."""
        for thread in list(self.threads):
            thread.join(timeout)
            if thread.is_alive():
                raise TimeoutError(f"{thread.name} still runs after {timeout} s: {self.log}")
