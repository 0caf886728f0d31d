"""Fixtures: a real qBittorrent per test, and the Radarr/Prowlarr emulators."""
pytest_plugins = ["tests.qbittorrent_server", "tests.emulators.fixtures"]
