"""Static files: WhiteNoise's compressed manifest storage that also works without a manifest, and
plotly.js of the installed plotly package as a static file.

Production (``klaster serve`` runs ``collectstatic`` before it starts): every file gets a
content-hashed name (``klaster/klaster.3f2a….js``) with gzip and brotli copies; WhiteNoise serves
hashed names with ``Cache-Control: max-age=315360000, public, immutable``, so a browser loads
plotly.js (4.6 MB, 1.4 MB with brotli) once per plotly version.

Tests and development do not run ``collectstatic``. Django's manifest storage would then refuse
to render any page (``ValueError: Missing staticfiles manifest entry``); with ``manifest_strict =
False`` alone it would hash files it cannot find and still fail. :class:`StaticStorage` instead
returns the plain name (``/static/klaster/klaster.js``), which WhiteNoise serves from the apps
(``WHITENOISE_USE_FINDERS``) with the short lifetime. A manifest older than one of the source
files (a file edited or a package upgraded since the last ``collectstatic``) is not used either,
so no page ever points at a stale copy.
"""

from __future__ import annotations

import logging
import os
import re
from functools import cached_property
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)

#: A content hash in a collected file name (``klaster.3f2a1b4c5d6e.js``).
HASHED = re.compile(r"\.[0-9a-f]{12}\.[^/]+$")
#: The static name of plotly.js (``{% static PLOTLY_JS %}``).
PLOTLY_JS = "klaster/vendor/plotly.min.js"


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names from a current manifest; plain names without one (see the module)."""

    manifest_strict = False
    _checked = False

    def _sources_newer_than_manifest(self) -> bool:
        try:
            made = os.stat(self.path(self.manifest_name)).st_mtime
        except OSError:
            return False
        for finder in finders.get_finders():
            for path, storage in finder.list(None):
                try:
                    if os.stat(storage.path(path)).st_mtime > made:
                        return True
                except (OSError, NotImplementedError):
                    continue
        return False

    def stored_name(self, name):
        """The hashed name of ``name`` from a current manifest, or ``name`` itself."""
        if not self._checked:
            self._checked = True
            if self.hashed_files and self._sources_newer_than_manifest():
                log.warning("static files changed since the last collectstatic: serving them under their plain names "
                            "(run `klaster serve` or `klaster manage collectstatic`)")
                self.hashed_files = {}
        clean = self.clean_name(name.split("?", 1)[0].split("#", 1)[0])
        if self.hashed_files.get(self.hash_key(clean)) is None:
            return name
        return super().stored_name(name)

    def compress_files(self, paths):
        """Compress only files that have no compressed copy yet. The names are content-hashed
        (``WHITENOISE_KEEP_ONLY_HASHED_FILES``), so an existing ``.gz``/``.br`` of the same name
        has the same content; every ``klaster serve`` runs ``collectstatic``, and brotli at its
        best ratio takes seconds for plotly.js."""
        fresh = [p for p in paths
                 if not (HASHED.search(p) and any(os.path.exists(self.path(p) + ext) for ext in (".gz", ".br")))]
        return super().compress_files(fresh)


class PlotlyFinder(BaseFinder):
    """plotly.js (``plotly.min.js`` of the installed plotly package) as the static file
    :data:`PLOTLY_JS`: its version follows the package, nothing is copied into the repository and
    no CDN is used."""

    @cached_property
    def _source(self) -> Path:
        import plotly

        return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

    @cached_property
    def _storage(self) -> FileSystemStorage:
        storage = FileSystemStorage(location=str(self._source.parent))
        storage.prefix = os.path.dirname(PLOTLY_JS)
        return storage

    def check(self, **kwargs):
        if not self._source.is_file():
            return [Error(f"plotly.js not found at {self._source}", hint="reinstall the plotly package", id="klaster.E101")]
        return []

    def find(self, path, find_all=False, **kwargs):
        found = str(self._source) if path == PLOTLY_JS and self._source.is_file() else None
        if find_all or kwargs.get("all"):
            return [found] if found else []
        return found

    def list(self, ignore_patterns):
        if self._source.is_file():
            yield self._source.name, self._storage
