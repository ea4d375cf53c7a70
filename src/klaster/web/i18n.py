"""Interface translations: compile every ``locale/<lang>/LC_MESSAGES/*.po`` of the package.

Each Django app keeps its own catalogue (``klaster/<app>/locale/``); the project-wide one is
``klaster/locale/``. Source strings (msgid) are English; Kazakh and Russian texts use the terms
of the seed documents. ``.mo`` files are build products (not committed); ``make run`` and
``make test`` compile them with :func:`compile_messages` (pure Python, no gettext needed).
"""

from __future__ import annotations

from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def compile_messages(root: Path = PACKAGE_DIR) -> int:
    """Compile all ``.po`` files below ``root`` whose ``.mo`` is missing or older.

    Returns
    -------
    int
        Number of catalogues found (compiled or already up to date).

    Raises
    ------
    OSError
        A catalogue cannot be read or written.
    """
    n = 0
    for po_path in sorted(root.glob("**/locale/*/LC_MESSAGES/*.po")):
        n += 1
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return n
