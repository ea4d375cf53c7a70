"""Operations of the register (see :mod:`.services`)."""

from .services import *  # noqa: F401,F403
from .services import RegisterError  # noqa: F401
