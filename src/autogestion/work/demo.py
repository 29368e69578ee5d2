"""The work part of the demo (filled in with the capability)."""


def load(bodies: dict, people: dict) -> None:
    return None
