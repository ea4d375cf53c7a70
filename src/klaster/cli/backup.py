"""``klaster backup [--out FILE]`` and ``klaster restore FILE`` — the database and the stored files.

A backup is one ``.tar.gz``:

* ``manifest.json`` — format and klaster version, the database it was taken from, the applied
  migrations, the row count of every table, and the size and SHA-256 of every file below;
* ``database.jsonl`` — every row of every table through Django's serializer (JSON lines, natural
  keys for the references to content types and permissions, which the migrations recreate);
* ``files/media/…`` — every stored upload (``MEDIA_ROOT``: package documents, support documents,
  analysis runs); ``files/regulations/…`` — regulation versions an administrator added
  (``<data dir>/regulations``).

**Why Django's serializer and not ``pg_dump`` / SQLite's backup API.** One format for both
databases: a backup taken on the embedded SQLite database restores into PostgreSQL (the usual
path from a trial to production) and the other way round; no client binaries whose version must
match the server's; the archive is readable text that the restore verifies row by row. The cost:
it restores only into the same schema (the manifest's migrations must equal the code's: restore
with the klaster version that made the backup, then upgrade), and ids of the rows Django rebuilds
itself (content types, permissions, many-to-many link rows) may differ — they are referenced by
natural keys, so nothing points at a wrong row. Not in a backup: the secret key (the operator's),
the downloadable datasets (``klaster data fetch`` restores them, checksummed), static files, and
the page cache's data-version tokens (a restore renews them so no process serves a page of the
database as it was before the restore).

The backup reads in one transaction (PostgreSQL: ``REPEATABLE READ``, a consistent snapshot while
the site runs; SQLite: one read transaction). The restore checks the archive completely first
(manifest, every SHA-256, the migrations), then replaces every row in one transaction and the files
by renaming a verified copy into place: a refused or failed restore leaves the database and the
files as they were. Stop the web server and the worker during a restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import typer

from klaster.cli._util import console, fail, setup_django

FORMAT = "klaster-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "database.jsonl"
#: Tables a backup leaves out: ``(app_label, model_name)``. Content types and permissions are
#: recreated by the migrations and referenced by natural keys; the data-version tokens of the page
#: cache are renewed by every write (a restored database must not look unchanged to a process).
EXCLUDED = {("contenttypes", "contenttype"), ("auth", "permission"), ("web", "dataversion")}


class BackupError(Exception):
    """A backup or a restore that cannot be made; the message names the file, the table or the rule."""


@dataclass(frozen=True)
class FileRoot:
    """A directory whose files a backup holds, by its name in the archive."""

    name: str
    path: Path


def file_roots() -> list[FileRoot]:
    """The stored uploads (``MEDIA_ROOT``) and the added regulation versions."""
    from django.conf import settings

    from klaster.regulations import added_root

    return [FileRoot("media", Path(settings.MEDIA_ROOT)), FileRoot("regulations", Path(added_root()))]


def models_in_order():
    """The models whose rows a backup holds, parents before children (Django's dependency sort),
    concrete and managed only (proxies share their model's table)."""
    from django.apps import apps
    from django.core import serializers

    ordered = serializers.sort_dependencies([(a, None) for a in apps.get_app_configs()], allow_cycles=True)
    return [m for m in ordered if m._meta.managed and not m._meta.proxy and (m._meta.app_label, m._meta.model_name) not in EXCLUDED]


def applied_migrations(using: str = "default") -> dict[str, list[str]]:
    """``{app_label: [migration names]}`` applied to the database."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    out: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        out.setdefault(app, []).append(name)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# ------------------------------------------------------------------------------------------ backup


def _exact_encoder():
    from django.core.serializers.json import DjangoJSONEncoder

    class Encoder(DjangoJSONEncoder):
        """Django's encoder, but date-times and times with every microsecond (Django's keeps
        milliseconds: a backup must give back what it read)."""

        def default(self, o):
            if isinstance(o, (dt.datetime, dt.time)):
                return o.isoformat()
            return super().default(o)

    return Encoder


def dump(stream, using: str = "default") -> dict[str, int]:
    """Write every row of :func:`models_in_order` to ``stream`` (text, JSON lines) in one read
    transaction; returns ``{model label: rows}``."""
    from django.core import serializers
    from django.db import connections, transaction

    conn = connections[using]
    encoder = _exact_encoder()
    counts: dict[str, int] = {}
    with transaction.atomic(using=using):
        if conn.vendor == "postgresql":
            with conn.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in models_in_order():
            qs = model._base_manager.using(using).order_by(model._meta.pk.name)
            n = 0

            def rows(qs=qs):
                nonlocal n
                for obj in qs.iterator(chunk_size=2000):
                    n += 1
                    yield obj

            serializers.serialize("jsonl", rows(), stream=stream, use_natural_foreign_keys=True, use_natural_primary_keys=False,
                                  cls=encoder)
            counts[model._meta.label_lower] = n
    return counts


def make_backup(out: Path, using: str = "default") -> dict:
    """Write a backup of the database and the stored files to ``out`` (``.tar.gz``).

    Returns
    -------
    dict
        The manifest (also stored in the archive as ``manifest.json``).

    Raises
    ------
    BackupError
        ``out`` exists, or its directory cannot be written.
    """
    import klaster
    from django.db import connections

    from django.db.migrations.executor import MigrationExecutor

    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists already: give another --out (a backup never overwrites a file)")
    executor = MigrationExecutor(connections[using])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise BackupError(f"the database lacks {len(pending)} migration(s) of this klaster (e.g. {pending[0][0]}): run `klaster setup` first")
    out.parent.mkdir(parents=True, exist_ok=True)
    conn = connections[using]
    with tempfile.TemporaryDirectory(prefix="klaster-backup-", dir=out.parent) as tmp:
        data = Path(tmp) / DATA
        with data.open("w", encoding="utf-8") as fh:
            counts = dump(fh, using)
        files = []
        for root in file_roots():
            for p in _files(root.path):
                rel = p.relative_to(root.path).as_posix()
                files.append({"root": root.name, "path": rel, "size": p.stat().st_size, "sha256": _sha256(p)})
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "klaster": klaster.__version__,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "database": {"vendor": conn.vendor}, "migrations": applied_migrations(using), "rows": counts,
            "data": {"path": DATA, "size": data.stat().st_size, "sha256": _sha256(data)}, "files": files,
        }
        part = Path(str(out) + ".part")
        try:
            with tarfile.open(part, "w:gz") as tar:
                raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(raw), int(dt.datetime.now().timestamp())
                tar.addfile(info, io.BytesIO(raw))
                tar.add(data, arcname=DATA, recursive=False)
                roots = {r.name: r.path for r in file_roots()}
                for f in files:
                    tar.add(roots[f["root"]] / f["path"], arcname=f"files/{f['root']}/{f['path']}", recursive=False)
            os.replace(part, out)
        finally:
            part.unlink(missing_ok=True)
    return manifest


# ------------------------------------------------------------------------------------------ restore


def _member_path(name: str) -> PurePosixPath:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise BackupError(f"the archive holds an unsafe path: {name!r}")
    return p


def read_archive(path: Path, staging: Path) -> dict:
    """Check the archive ``path`` completely and unpack it into ``staging``: the manifest, every
    member a regular file at a safe path, the database and every file present with the size and
    SHA-256 the manifest gives, nothing else. Returns the manifest.

    Raises
    ------
    BackupError
        Not a klaster backup, another format version, an unsafe or unexpected member, a missing
        file, a size or checksum that differs (named).
    """
    try:
        tar = tarfile.open(path, "r:gz")
    except (OSError, EOFError, zlib.error, tarfile.TarError) as e:
        raise BackupError(f"{path}: not a readable .tar.gz ({e})") from e
    try:
        with tar:
            return _read_members(path, tar, staging)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as e:  # truncated or damaged after the first block
        raise BackupError(f"{path}: not a readable .tar.gz ({e or type(e).__name__})") from e


def _check_manifest(path: Path, manifest: dict) -> None:
    """The manifest's parts have the shapes :func:`make_backup` writes (a hand-edited or foreign
    manifest is refused by name, never with a ``KeyError``)."""

    def entry(x) -> bool:
        return isinstance(x, dict) and isinstance(x.get("size"), int) and isinstance(x.get("sha256"), str)

    problems = []
    if not entry(manifest.get("data")):
        problems.append("data")
    if not isinstance(manifest.get("rows"), dict) or not all(isinstance(v, int) for v in manifest["rows"].values()):
        problems.append("rows")
    if not isinstance(manifest.get("migrations"), dict):
        problems.append("migrations")
    roots = {"media", "regulations"}
    files = manifest.get("files")
    if not isinstance(files, list) or not all(entry(f) and f.get("root") in roots and isinstance(f.get("path"), str) for f in files):
        problems.append("files")
    if problems:
        raise BackupError(f"{path}: {MANIFEST} lacks or mangles {', '.join(problems)} (not a complete klaster backup)")


def _read_members(path: Path, tar: tarfile.TarFile, staging: Path) -> dict:
    """:func:`read_archive` on the opened archive."""
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except (KeyError, AttributeError, ValueError) as e:
        raise BackupError(f"{path}: no readable {MANIFEST} (not a klaster backup)") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: {MANIFEST} is not a {FORMAT} manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path}: backup format version {manifest.get('format_version')}; this klaster reads version {FORMAT_VERSION}")
    _check_manifest(path, manifest)
    expected = {DATA: manifest["data"]}
    for f in manifest.get("files", []):
        expected[f"files/{f['root']}/{f['path']}"] = f
    seen = set()
    for m in tar:
        if m.name == MANIFEST:
            continue
        if m.isdir():
            continue
        rel = _member_path(m.name)
        if not m.isfile():
            raise BackupError(f"{path}: {m.name} is not a regular file (links and devices are refused)")
        want = expected.get(m.name)
        if want is None:
            raise BackupError(f"{path}: {m.name} is not listed in the manifest")
        dest = staging.joinpath(*rel.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        size = 0
        with tar.extractfile(m) as src, dest.open("wb") as out:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if size != want["size"] or h.hexdigest() != want["sha256"]:
            raise BackupError(f"{path}: {m.name} differs from the manifest (size {size} vs {want['size']}, SHA-256 {h.hexdigest()[:12]}… vs {want['sha256'][:12]}…)")
        seen.add(m.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{path}: the manifest lists {len(missing)} file(s) the archive lacks, e.g. {missing[0]}")
    return manifest


def check_migrations(manifest: dict, using: str = "default") -> None:
    """The backup's applied migrations must be the database's (after ``migrate``).

    Raises
    ------
    BackupError
        Naming the apps whose migrations differ.
    """
    have = applied_migrations(using)
    want = manifest.get("migrations", {})
    differ = sorted(a for a in set(have) | set(want) if have.get(a, []) != want.get(a, []))
    if differ:
        detail = "; ".join(f"{a}: backup {want.get(a, ['—'])[-1]}, database {have.get(a, ['—'])[-1]}" for a in differ[:5])
        raise BackupError(f"the backup was made with other migrations ({detail}). Restore it with the klaster version that made it "
                          f"(klaster {manifest.get('klaster')}), then upgrade.")


def load(stream, using: str = "default") -> dict[str, int]:
    """Replace every row of :func:`models_in_order` by the rows of ``stream`` (JSON lines), inside the
    caller's transaction: delete all, insert as stored (ids kept; optimistic-lock versions kept:
    django-concurrency is off while loading), then reset the sequences (PostgreSQL) and check the
    foreign keys. Returns ``{model label: rows}``."""
    from concurrency.api import disable_concurrency
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connections

    conn = connections[using]
    models = models_in_order()
    tables = {m._meta.db_table for m in models}
    for m in models:
        for f in m._meta.local_many_to_many:
            if f.remote_field.through._meta.auto_created:
                tables.add(f.remote_field.through._meta.db_table)
    qn = conn.ops.quote_name
    with conn.cursor() as cur:
        for table in sorted(tables):
            cur.execute(f"DELETE FROM {qn(table)}")
    counts: dict[str, int] = {}
    deferred = []
    with disable_concurrency():
        for obj in serializers.deserialize("jsonl", stream, using=using, handle_forward_references=True):
            obj.save(using=using)
            if obj.deferred_fields:
                deferred.append(obj)
            label = obj.object._meta.label_lower
            counts[label] = counts.get(label, 0) + 1
        for obj in deferred:
            obj.save_deferred_fields(using=using)
    sql = conn.ops.sequence_reset_sql(no_style(), models)
    if sql:
        with conn.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
    conn.check_constraints(table_names=sorted(tables))
    return counts


def restore_backup(path: Path, using: str = "default") -> dict:
    """Restore the backup ``path``: the database's rows and the stored files become those of the backup.

    Migrates an empty database first. Refuses, changing nothing, an archive that is not a complete
    klaster backup (:func:`read_archive`) or was made with other migrations
    (:func:`check_migrations`). Rows are replaced in one transaction; then the files below each root
    (``MEDIA_ROOT``, the added regulations) are replaced by renaming the verified copy into place.

    Returns
    -------
    dict
        The manifest, with ``restored`` = ``{model label: rows}``.

    Raises
    ------
    BackupError
        As above, or the rows restored differ in number from the manifest's (rolled back).
    """
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.db.migrations.executor import MigrationExecutor

    path = Path(path)
    roots = file_roots()
    for r in roots:
        r.path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".klaster-restore-", dir=roots[0].path.parent))
    try:
        manifest = read_archive(path, staging)
        executor = MigrationExecutor(connections[using])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", database=using, interactive=False, verbosity=0)
        check_migrations(manifest, using)
        with transaction.atomic(using=using):
            with (staging / DATA).open("r", encoding="utf-8") as fh:
                counts = load(fh, using)
            want = {k: v for k, v in manifest["rows"].items() if v}
            if counts != want:
                differ = sorted(k for k in set(counts) | set(want) if counts.get(k) != want.get(k))
                raise BackupError(f"restored rows differ from the manifest in {', '.join(differ[:5])}: nothing was restored")
        _swap_files(roots, staging)
        manifest["restored"] = counts
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_files(roots: list[FileRoot], staging: Path) -> None:
    """Put each root's verified copy in place of the current directory (renames on one filesystem)."""
    for r in roots:
        new = staging / "files" / r.name
        if not new.exists():
            new.mkdir(parents=True)
        old = r.path.with_name(f".{r.path.name}.before-restore")
        if old.exists():
            shutil.rmtree(old)
        if r.path.exists():
            os.replace(r.path, old)
        shutil.move(str(new), str(r.path))
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------------------------------ commands


def default_out() -> Path:
    """Where ``klaster backup`` writes without ``--out``: ``<data
    dir>/backups/klaster-YYYYmmdd-HHMMSS.tar.gz``."""
    from klaster.datasets import data_dir

    return data_dir() / "backups" / f"klaster-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz"


def backup(out: Path = typer.Option(None, "--out", "-o", help="Archive to write (.tar.gz); default <data dir>/backups/klaster-<time>.tar.gz. Never overwritten.")) -> None:
    """Back up the database and the stored files (uploads, added regulations) into one .tar.gz
    with a manifest of row counts and SHA-256 checksums. Safe while the site runs."""
    setup_django()
    from klaster.common import audit

    target = Path(out) if out else default_out()
    try:
        manifest = make_backup(target)
    except BackupError as e:
        fail(e)
    audit.record(actor=None, action="backup.create", object_type="backup", object_id=target.name[:64], object_repr=str(target)[:300],
                 changes={"rows": [None, sum(manifest["rows"].values())], "files": [None, len(manifest["files"])]})
    console.print(f"backup written: {target} ({sum(manifest['rows'].values())} rows in {len(manifest['rows'])} tables, "
                  f"{len(manifest['files'])} files, {target.stat().st_size / 1e6:.1f} MB)")


def restore(
    archive: Path = typer.Argument(..., help="A backup written by `klaster backup`."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Replace the database's rows and the stored files by those of a backup (checked completely
    first: manifest, checksums, migrations; nothing changes when it is refused). Stop the web
    server and the worker first."""
    setup_django()
    from django.db import connections

    from klaster.common import audit

    if not Path(archive).is_file():
        fail(f"{archive}: no such file")
    if not yes and not typer.confirm(f"Replace every row of the database ({connections['default'].vendor}) and the stored files by {archive}?"):
        raise typer.Exit(1)
    try:
        manifest = restore_backup(Path(archive))
    except BackupError as e:
        fail(e)
    audit.record(actor=None, action="backup.restore", object_type="backup", object_id=Path(archive).name[:64], object_repr=str(archive)[:300],
                 changes={"created_at": [None, manifest["created_at"]], "rows": [None, sum(manifest["restored"].values())]})
    console.print(f"restored {archive} (made {manifest['created_at']} by klaster {manifest['klaster']} on {manifest['database']['vendor']}): "
                  f"{sum(manifest['restored'].values())} rows, {len(manifest['files'])} files")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
