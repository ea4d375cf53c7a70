"""``klaster backup`` / ``klaster restore`` (issue 10, part 6): a round trip on the test database —
back up, change and delete rows and files, restore — gives back every table (row counts and
content) and every file (SHA-256); a corrupt or foreign archive is refused with a clear error and
changes nothing. Runs on SQLite and, with ``DATABASE_URL`` set, on PostgreSQL (as CI does)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from tests.api.world import load_world

pytestmark = [pytest.mark.slow]


# ------------------------------------------------------------------------------------------ what is compared


def _link_tables() -> set[str]:
    """Auto-created many-to-many tables: Django rebuilds their rows (new ids, same links)."""
    from django.apps import apps

    out = set()
    for m in apps.get_models():
        for f in m._meta.local_many_to_many:
            if f.remote_field.through._meta.auto_created:
                out.add(f.remote_field.through._meta.db_table)
    return out


#: renewed by every write on purpose (the page cache's tokens, see klaster.cli.backup.EXCLUDED)
NOT_COMPARED = {"web_dataversion"}


def database_state() -> dict[str, tuple[int, str]]:
    """``{table: (rows, SHA-256 of the sorted rows)}`` of every table of the database."""
    links = _link_tables()
    out = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.table_names(cur)):
            if table in NOT_COMPARED:
                continue
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            if table in links:
                keep = [i for i, c in enumerate(cols) if c != "id"]
                rows = [tuple(r[i] for i in keep) for r in rows]
            text = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)) for r in rows)
            out[table] = (len(rows), hashlib.sha256("\n".join(text).encode()).hexdigest())
    return out


def files_state(*roots: Path) -> dict[str, str]:
    """``{root/relative path: SHA-256}`` of every file below ``roots``."""
    out = {}
    for root in roots:
        for p in sorted(Path(root).rglob("*")):
            if p.is_file():
                out[f"{root.name}/{p.relative_to(root).as_posix()}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def roots(settings, tmp_path, monkeypatch):
    """MEDIA_ROOT and the added regulations in a temporary directory, with files in both."""
    import klaster.regulations

    media = tmp_path / "data" / "media"
    regs = tmp_path / "data" / "regulations"
    (media / "packages" / "1").mkdir(parents=True)
    regs.mkdir(parents=True)
    settings.MEDIA_ROOT = str(media)
    monkeypatch.setattr(klaster.regulations, "ADDED_DIR", str(regs))
    (media / "packages" / "1" / "charter.pdf").write_bytes(b"%PDF-1.4 charter " * 100)
    (media / "packages" / "1" / "Ұйым жарғысы.docx").write_bytes(bytes(range(256)) * 40)
    (media / "empty.txt").write_bytes(b"")
    (regs / "decree-535-v2.yaml").write_text("id: decree-535\nversion: '2'\n", encoding="utf-8")
    return media, regs


def _some_rows():
    """A few rows of several kinds (users with groups, a profile, audit entries with JSON)."""
    from klaster.common import audit
    from tests.conftest import make_user

    u = make_user("backup-organizer", "organizer", organisation_name="Министрлік «Ұлттық»")
    make_user("backup-applicant", "applicant", organisation_bin="180140001006")
    audit.record(actor=u, action="backup.test", object_type="test", object_id="1", object_repr="тест", changes={"x": [None, 1.5]}, note="ä")
    return u


def _change_everything(media: Path, regs: Path):
    """Rows changed, deleted and added; files changed, deleted and added."""
    from django.contrib.auth import get_user_model

    from klaster.common.models import AuditEntry
    from tests.conftest import make_user

    User = get_user_model()
    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("id").first().pk).delete()
    User.objects.filter(username="backup-organizer").update(first_name="changed", email="x@example.kz")
    User.objects.get(username="backup-applicant").groups.clear()
    make_user("intruder", "administrator")
    (media / "packages" / "1" / "charter.pdf").write_bytes(b"changed")
    (media / "empty.txt").unlink()
    (media / "new-orphan.bin").write_bytes(b"new")
    (regs / "decree-535-v2.yaml").unlink()


# ------------------------------------------------------------------------------------------ round trip


@pytest.mark.django_db(transaction=True)
def test_round_trip_of_the_demo_world_gives_back_every_table_and_file(roots, tmp_path):
    from klaster.cli.backup import make_backup, restore_backup
    from klaster.reference.loaders import load_all

    media, regs = roots
    load_all()
    load_world()
    _some_rows()
    before_db, before_files = database_state(), files_state(media, regs)
    assert sum(n for n, _h in before_db.values()) > 1000 and len(before_files) > 4  # the demo's package documents and ours
    archive = tmp_path / "backups" / "b.tar.gz"
    manifest = make_backup(archive)
    assert archive.is_file() and manifest["database"]["vendor"] == connection.vendor
    assert database_state() == before_db  # a backup writes nothing
    assert sum(manifest["rows"].values()) > 1000 and len(manifest["files"]) == len(before_files)

    _change_everything(media, regs)
    from klaster.competition.models import Competition
    from klaster.register.models import Cluster

    Competition.objects.filter(pk=Competition.objects.order_by("id").first().pk).update(title="changed")
    Cluster.objects.filter(code="milk").update(name_ru="изменено")
    assert database_state() != before_db and files_state(media, regs) != before_files

    restored = restore_backup(archive)
    assert sum(restored["restored"].values()) == sum(manifest["rows"].values())
    after_db = database_state()
    differ = sorted(t for t in set(before_db) | set(after_db) if before_db.get(t) != after_db.get(t))
    assert not differ, f"tables that differ after the restore: {differ}"
    assert files_state(media, regs) == before_files
    # the restored database works: the sequences continue after the restored ids (PostgreSQL)
    from tests.conftest import make_user

    make_user("after-restore", "analyst")


@pytest.mark.django_db(transaction=True)
def test_the_command_line_backs_up_and_restores_with_clear_messages(roots, tmp_path):
    from typer.testing import CliRunner

    from klaster.cli import app

    media, regs = roots
    _some_rows()
    before_db, before_files = database_state(), files_state(media, regs)
    runner = CliRunner()
    archive = tmp_path / "cli.tar.gz"
    r = runner.invoke(app, ["backup", "--out", str(archive)])
    assert r.exit_code == 0, r.output
    assert "backup written" in r.output and archive.is_file()
    r = runner.invoke(app, ["backup", "--out", str(archive)])  # never overwrites
    assert r.exit_code == 2 and "exists already" in r.output and "Traceback" not in r.output
    _change_everything(media, regs)
    r = runner.invoke(app, ["restore", str(archive)], input="n\n")  # asks first
    assert r.exit_code == 1 and files_state(media, regs) != before_files
    r = runner.invoke(app, ["restore", str(archive), "--yes"])
    assert r.exit_code == 0, r.output
    assert "restored" in r.output
    from klaster.common.models import AuditEntry

    # the restore is audited (after the rows were replaced); apart from that entry, as before
    assert AuditEntry.objects.filter(action="backup.restore").count() == 1
    AuditEntry.objects.filter(action="backup.restore").delete()
    after = database_state()
    assert {t: v for t, v in after.items() if t != "common_auditentry"} == {t: v for t, v in before_db.items() if t != "common_auditentry"}
    assert files_state(media, regs) == before_files
    r = runner.invoke(app, ["restore", str(tmp_path / "no-such.tar.gz"), "--yes"])
    assert r.exit_code == 2 and "no such file" in r.output


# ------------------------------------------------------------------------------------------ refusals


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy the archive ``src`` to ``dst`` with ``change(name, bytes) -> bytes | None`` applied to each
    member (None: left out)."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin:
            data = tin.extractfile(m).read() if m.isfile() else None
            new = change(m.name, data)
            if new is None:
                continue
            info = tarfile.TarInfo(m.name)
            info.size = len(new)
            tout.addfile(info, io.BytesIO(new))


def _add_member(src: Path, dst: Path, info: tarfile.TarInfo, data: bytes = b"") -> None:
    _rewrite(src, dst, lambda n, d: d)
    with tarfile.open(dst, "r:gz") as t:
        members = [(m, t.extractfile(m).read()) for m in t]
    with tarfile.open(dst, "w:gz") as tout:
        for m, d in members:
            tout.addfile(m, io.BytesIO(d))
        tout.addfile(info, io.BytesIO(data) if data else None)


def _manifest_edit(edit):
    def change(name, data):
        if name == "manifest.json":
            m = json.loads(data)
            edit(m)
            return json.dumps(m).encode()
        return data

    return change


def _flip_in(member: str):
    def change(name, data):
        if name == member:
            return data[:10] + bytes([data[10] ^ 1]) + data[11:]
        return data

    return change


@pytest.mark.django_db(transaction=True)
def test_a_corrupt_or_foreign_archive_is_refused_and_changes_nothing(roots, tmp_path):
    from klaster.cli.backup import BackupError, make_backup, restore_backup

    media, regs = roots
    _some_rows()
    good = tmp_path / "good.tar.gz"
    make_backup(good)
    _change_everything(media, regs)  # the state a refused restore must keep
    before_db, before_files = database_state(), files_state(media, regs)

    cases: dict[str, tuple[Path, str]] = {}

    def case(name: str, expected: str) -> Path:
        p = tmp_path / f"{name}.tar.gz"
        cases[name] = (p, expected)
        return p

    case("not-gzip", "not a readable .tar.gz").write_bytes(b"this is not an archive")
    case("truncated", "not a readable .tar.gz").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    foreign = case("foreign", "no readable manifest.json")
    with tarfile.open(foreign, "w:gz") as t:
        info = tarfile.TarInfo("dump.sql")
        info.size = 4
        t.addfile(info, io.BytesIO(b"x;\n\n"))
    _rewrite(good, case("other-format", "not a klaster-backup manifest"), _manifest_edit(lambda m: m.update(format="other-backup")))
    _rewrite(good, case("newer-version", "backup format version 99"), _manifest_edit(lambda m: m.update(format_version=99)))
    _rewrite(good, case("mangled-manifest", "lacks or mangles rows, files"), _manifest_edit(lambda m: m.update(rows=[], files="all")))
    _rewrite(good, case("rows-corrupt", "database.jsonl differs from the manifest"), _flip_in("database.jsonl"))
    _rewrite(good, case("file-corrupt", "differs from the manifest"), _flip_in("files/media/packages/1/charter.pdf"))
    _rewrite(good, case("file-missing", "the archive lacks"), lambda n, d: None if n == "files/regulations/decree-535-v2.yaml" else d)
    _rewrite(good, case("data-missing", "the archive lacks"), lambda n, d: None if n == "database.jsonl" else d)
    _rewrite(good, case("other-migrations", "made with other migrations"),
             _manifest_edit(lambda m: m["migrations"].setdefault("auth", []).append("9999_from_the_future")))
    extra = tmp_path / "extra-src.tar.gz"
    _rewrite(good, extra, lambda n, d: d)
    evil = tarfile.TarInfo("../../evil.txt")
    evil.size = 3
    _add_member(good, case("unsafe-path", "unsafe path"), evil, b"bad")
    unlisted = tarfile.TarInfo("files/media/unlisted.txt")
    unlisted.size = 3
    _add_member(good, case("unlisted", "not listed in the manifest"), unlisted, b"bad")
    link = tarfile.TarInfo("files/media/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    _add_member(good, case("symlink", "not a regular file"), link)

    # the database rows do not match the manifest's counts (a manifest edited by hand)
    def fewer(m):
        label = next(k for k, v in m["rows"].items() if v)
        m["rows"][label] += 1

    _rewrite(good, case("counts", "restored rows differ from the manifest"), _manifest_edit(fewer))

    for name, (path, expected) in cases.items():
        with pytest.raises(BackupError) as e:
            restore_backup(path)
        assert expected in str(e.value), (name, str(e.value))
        assert database_state() == before_db, name
        assert files_state(media, regs) == before_files, name
        assert not any(p.name.startswith(".klaster-restore-") for p in media.parent.iterdir()), name  # no staging left behind
    assert not (tmp_path.parent / "evil.txt").exists() and not (media.parent.parent / "evil.txt").exists()
