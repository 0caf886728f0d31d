"""roles/caddy tags its image from the versions and a recipe number (vars/main.yml, __caddy_recipe): a change of
the Dockerfile template or of the entrypoint must come with a new number, or hosts would keep the old image."""
from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

ROLE = Path(__file__).resolve().parents[1] / "roles" / "caddy"
# recipe number -> sha256 of templates/Dockerfile.j2 and files/mediastack-caddy-entrypoint, in that order.
RECIPES = {
    "1": "85304ea097af385006f04d0dcaa23c89aab1cd1eaebf73eedee6c7f5af4340fb "
         "a9e9dc30259ed8fd98809ac658a259fabbb3801ace0319f6337c1c751fcce88e",
}


def test_a_changed_recipe_has_a_new_recipe_number() -> None:
    recipe = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__caddy_recipe"]
    files = [ROLE / "templates" / "Dockerfile.j2", ROLE / "files" / "mediastack-caddy-entrypoint"]
    digests = " ".join(hashlib.sha256(path.read_bytes()).hexdigest() for path in files)
    assert RECIPES.get(recipe) == digests, (
        f"the Caddy image recipe changed ({digests}) but __caddy_recipe is still {recipe!r}: bump it in "
        f"roles/caddy/vars/main.yml and add the new number with these digests to RECIPES")
