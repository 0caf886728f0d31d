"""Fixtures: a real qBittorrent per test, the Radarr/Prowlarr emulators, and the stand-in images."""
pytest_plugins = ["tests.qbittorrent_server", "tests.emulators.fixtures", "tests.standins.fixtures"]
