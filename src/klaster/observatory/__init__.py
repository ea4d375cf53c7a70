"""klaster.observatory: regional specialisation, cluster mapping and input-output analysis.

Plain Python (no Django import).
"""


def message_of(exc: BaseException) -> str:
    """The text of a library error as a user reads it.

    ``str(KeyError("year 2031 is not in the panel"))`` wraps the text in the quotes of its
    ``repr``; this returns the argument itself. Any other exception: ``str(exc)`` unchanged (a
    message that ends in a quoted value, ``…: '2020.5'``, keeps its quotes).
    """
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)
