"""Tables of the capability."""
