"""klaster: territorial cluster policy end to end."""

__version__ = "0.1.0"
