"""The lab's movie metadata: what TMDB would tell Seerr and Radarr's metadata server would tell Radarr, for the
movies the lab can request (nothing leaves the machine, so neither service is asked)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# By TMDB id. Inception: the movie the lab swarm seeds (`Inception (2010).mkv`).
LAB_MOVIES: Mapping[int, Mapping[str, Any]] = {
    27205: {"title": "Inception", "originalTitle": "Inception", "year": 2010, "imdbId": "tt1375666",
            "runtime": 148, "releaseDate": "2010-07-15T00:00:00Z", "studio": "Legendary Pictures",
            "overview": "A thief who steals corporate secrets through dream-sharing technology is given one last job.",
            "genres": ["Action", "Science Fiction", "Adventure"]},
}


def lab_movie(tmdb_id: Any) -> Mapping[str, Any] | None:
    try:
        return LAB_MOVIES.get(int(tmdb_id))
    except (TypeError, ValueError):
        return None


def folder_name(movie: Mapping[str, Any]) -> str:
    """Radarr's default movie folder format, `{Movie Title} ({Release Year})`, with what a path cannot hold
    dropped."""
    return re.sub(r'[<>:"/\\|?*]', "", "%s (%s)" % (movie["title"], movie["year"]))
