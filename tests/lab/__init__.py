"""The lab: what the internet would be for the stack, made by the tests (servers, data, programs built from
their upstream source at the roles' pinned versions). Nothing here talks to the real services."""
