"""Reading .zip and .tar.gz archives in memory: members, bounded reads and hostile archives.

Every archive is built here with zipfile / tarfile (and patched bytes where those
refuse to write something hostile); nothing is extracted to disk.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import struct
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest

from translator.archive import ArchiveLimits, is_archive, name_problem, open_archive
from translator.errors import BadArchive, InputError

KiB = 1024
MiB = 1024 * KiB


# --------------------------------------------------------------------------- builders


def make_zip(path: Path, members: dict[str, bytes], *, stored: bool = False) -> Path:
    """A zip of ``members`` in the order given (duplicate names allowed via a list of pairs)."""
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names
        with zipfile.ZipFile(path, "w", compression) as zf:
            for name, data in (members.items() if isinstance(members, dict) else members):
                if isinstance(name, zipfile.ZipInfo):
                    name.compress_type = compression
                zf.writestr(name, data)
    return path


def zip_entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    return info


def tar_entry(name: str, data: bytes = b"", **fields) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for field, value in fields.items():
        setattr(info, field, value)
    return info, data


def tar_bytes(entries) -> bytes:
    """An uncompressed tar of ``entries`` (name -> data, or (TarInfo, data) pairs)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for entry in (entries.items() if isinstance(entries, dict) else entries):
            info, data = entry if isinstance(entry[0], tarfile.TarInfo) else tar_entry(*entry)
            tf.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def make_tgz(path: Path, entries) -> Path:
    path.write_bytes(gzip.compress(tar_bytes(entries), mtime=0))
    return path


def listing(archive) -> list[tuple[str, str | None]]:
    return [(m.name, e.message if e else None) for m, e in archive.members()]


def patch_zip_sizes(path: Path, name: bytes, size: int) -> None:
    """Make the zip declare ``size`` as the uncompressed size of ``name`` (both headers)."""
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    assert data[local + 30:local + 30 + len(name)] == name
    struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02")
    assert data[central + 46:central + 46 + len(name)] == name
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def zeros_zip(tmp_path_factory) -> Path:
    """A 50 MB member of zeros (about 50 KB compressed) next to 700 KB of random data,
    so that the archive as a whole stays under 100:1 and only the member is a bomb."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.txt", bytes(50 * MiB))
        zf.writestr("noise.bin", os.urandom(700 * KiB), compress_type=zipfile.ZIP_STORED)
        zf.writestr("ok.txt", b"fine")
    return path


# --------------------------------------------------------------------------- reading


def test_zip_members_are_normalised_in_archive_order(tmp_path):
    path = make_zip(tmp_path / "a.zip", {
        "2024/b.txt": b"bee", "./a.txt": b"ay", "dir/": b"", "x//y.txt": b"why",
        "__MACOSX/._a.txt": b"fork", ".DS_Store": b"x", "2024/.hidden.txt": b"x",
        ".git/config": b"x", "empty.txt": b""})
    with open_archive(path) as archive:
        members = list(archive.members())
        assert [(m.name, m.size, e) for m, e in members] == [
            ("2024/b.txt", 3, None), ("a.txt", 2, None), ("x/y.txt", 3, None), ("empty.txt", 0, None)]
        assert [archive.read(m) for m, _ in members] == [b"bee", b"ay", b"why", b""]
        assert archive.random_access


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz", ".TGZ"])
def test_tar_members_are_read_in_and_out_of_order(tmp_path, suffix):
    path = make_tgz(tmp_path / f"a{suffix}", [
        tar_entry("./2024", type=tarfile.DIRTYPE),
        tar_entry("./2024/b.txt", b"bee" * 1000), tar_entry("./a.txt", b"ay"),
        tar_entry("./.hidden/x.txt", b"no"), tar_entry("__MACOSX/._a.txt", b"fork")])
    with open_archive(path) as archive:
        members = [m for m, e in archive.members() if e is None]
        assert [m.name for m in members] == ["2024/b.txt", "a.txt"]
        assert not archive.random_access
        assert archive.read(members[0]) == b"bee" * 1000
        assert archive.read(members[1]) == b"ay"
        assert archive.read(members[0]) == b"bee" * 1000  # going back decompresses again


def test_is_archive_goes_by_name():
    assert is_archive("news.zip") and is_archive(Path("a/NEWS.TAR.GZ")) and is_archive("x.tgz")
    assert not is_archive("news.tar") and not is_archive("news.gz") and not is_archive("zip")


def test_open_archive_refuses_other_names(tmp_path):
    (tmp_path / "a.rar").write_bytes(b"x")
    with pytest.raises(BadArchive, match="not a supported archive"):
        open_archive(tmp_path / "a.rar")


def test_a_missing_archive_is_a_bad_archive(tmp_path):
    with pytest.raises(BadArchive, match="cannot read"):
        open_archive(tmp_path / "gone.zip")
    with pytest.raises(BadArchive, match="cannot read"):
        open_archive(tmp_path / "gone.tgz")


def test_bad_archive_is_an_input_error_with_its_code():
    assert issubclass(BadArchive, InputError)
    error = BadArchive("news.zip: truncated")
    assert error.code == "bad_archive" and error.exit_code == 2 and error.http_status == 400


# --------------------------------------------------------------------------- unsafe members


UNSAFE_NAMES = [
    ("../x.txt", "leaves the archive"),
    ("a/../../x.txt", "leaves the archive"),
    ("/abs.txt", "absolute path"),
    ("a\\b.txt", "backslash"),
    ("C:/x.txt", "drive letter"),
    ("c:x.txt", "drive letter"),
    ("a\x1b[31m.txt", "control character"),
    ("a\x7f.txt", "control character"),
]


@pytest.mark.parametrize("name, reason", UNSAFE_NAMES)
def test_name_problem(name, reason):
    assert reason in name_problem(name)
    assert name_problem("2024/ok name.txt") is None and name_problem("./a//b.txt") is None


@pytest.mark.parametrize("name, reason", UNSAFE_NAMES)
def test_unsafe_zip_names_are_reported_not_skipped(tmp_path, name, reason):
    path = make_zip(tmp_path / "a.zip", {"ok.txt": b"ok", name: b"evil", "z.txt": b"zed"})
    with open_archive(path) as archive:
        members = list(archive.members())
        assert [m.name for m, _ in members] == ["ok.txt", name, "z.txt"]
        (bad, error), = [(m, e) for m, e in members if e is not None]
        assert isinstance(error, BadArchive) and reason in error.message
        assert error.message.startswith(f"{path}: member {name!r}")
        with pytest.raises(BadArchive, match=reason):
            archive.read(bad)
        assert archive.read(members[2][0]) == b"zed"


@pytest.mark.parametrize("name, reason", UNSAFE_NAMES[:5])
def test_unsafe_tar_names_are_reported(tmp_path, name, reason):
    path = make_tgz(tmp_path / "a.tgz", [tar_entry("ok.txt", b"ok"), tar_entry(name, b"evil")])
    with open_archive(path) as archive:
        assert [(n, e is not None and reason in e) for n, e in listing(archive)] == [
            ("ok.txt", False), (name, True)]


def test_a_tar_name_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "a.tgz"
    raw = tar_bytes([tar_entry("caf\udce9.txt", b"x")])  # written back as the byte 0xE9
    path.write_bytes(gzip.compress(raw))
    with open_archive(path) as archive:
        (_, error), = listing(archive)
        assert "not valid UTF-8" in error


def test_zip_links_and_special_files_are_reported(tmp_path):
    path = make_zip(tmp_path / "a.zip", [
        (zip_entry("link.txt", stat.S_IFLNK | 0o777), b"/etc/passwd"),
        (zip_entry("fifo.txt", stat.S_IFIFO | 0o644), b""),
        (zip_entry("plain.txt", stat.S_IFREG | 0o644), b"plain"),
        ("dos.txt", b"no mode bits")])
    with open_archive(path) as archive:
        assert listing(archive) == [
            ("link.txt", f"{path}: member 'link.txt' is a symbolic link"),
            ("fifo.txt", f"{path}: member 'fifo.txt' is a special file"),
            ("plain.txt", None), ("dos.txt", None)]


def test_tar_links_devices_and_fifos_are_reported(tmp_path):
    path = make_tgz(tmp_path / "a.tgz", [
        tar_entry("a.txt", b"real"),
        tar_entry("sym.txt", type=tarfile.SYMTYPE, linkname="/etc/passwd"),
        tar_entry("hard.txt", type=tarfile.LNKTYPE, linkname="a.txt"),
        tar_entry("char.txt", type=tarfile.CHRTYPE, devmajor=1, devminor=3),
        tar_entry("block.txt", type=tarfile.BLKTYPE),
        tar_entry("fifo.txt", type=tarfile.FIFOTYPE)])
    with open_archive(path) as archive:
        result = listing(archive)
        members = dict((m.name, m) for m, _ in archive.members())
        assert result == [
            ("a.txt", None),
            ("sym.txt", f"{path}: member 'sym.txt' is a symbolic link"),
            ("hard.txt", f"{path}: member 'hard.txt' is a hard link"),
            ("char.txt", f"{path}: member 'char.txt' is a special file (device or fifo)"),
            ("block.txt", f"{path}: member 'block.txt' is a special file (device or fifo)"),
            ("fifo.txt", f"{path}: member 'fifo.txt' is a special file (device or fifo)")]
        with pytest.raises(BadArchive, match="hard link"):
            archive.read(members["hard.txt"])


def test_duplicate_names_are_reported_after_the_first(tmp_path):
    zpath = make_zip(tmp_path / "a.zip", [("a.txt", b"one"), ("./a.txt", b"two"), ("a.txt", b"3")])
    tpath = make_tgz(tmp_path / "a.tgz", [tar_entry("a.txt", b"one"), tar_entry("a.txt", b"two")])
    for path, count in ((zpath, 3), (tpath, 2)):
        with open_archive(path) as archive:
            members = list(archive.members())
            assert [(m.name, e.message if e else None) for m, e in members] == (
                [("a.txt", None)] + [("a.txt", f"{path}: member {raw!r} appears twice")
                                     for raw in ["./a.txt", "a.txt"][3 - count:]])
            assert archive.read(members[0][0]) == b"one"
            assert len({m.index for m, _ in members}) == count


def test_encrypted_zip_entries_are_reported(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"secret.txt": b"x" * 100, "open.txt": b"o"})
    data = bytearray(path.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)  # the first entry of each header kind: secret.txt
        data[at + flag_offset] |= 0x1
    path.write_bytes(bytes(data))
    with open_archive(path) as archive:
        members = list(archive.members())
        assert [(m.name, e.message if e else None) for m, e in members] == [
            ("secret.txt", f"{path}: member 'secret.txt' is encrypted"), ("open.txt", None)]
        with pytest.raises(BadArchive, match="encrypted"):
            archive.read(members[0][0])
        assert archive.read(members[1][0]) == b"o"


# --------------------------------------------------------------------------- bombs and bounds


def test_a_zip_bomb_member_stops_at_the_member_bound(zeros_zip):
    limits = ArchiveLimits(max_member_bytes=1 * MiB)
    with open_archive(zeros_zip, limits) as archive:
        members = {m.name: m for m, _ in archive.members()}
        assert members["bomb.txt"].size == 50 * MiB
        with pytest.raises(BadArchive, match=r"member 'bomb.txt' unpacks to more than the 1 MiB "
                                             r"bound on one member"):
            archive.read(members["bomb.txt"])
        assert archive.read(members["ok.txt"]) == b"fine"  # the others are still read


def test_a_zip_bomb_member_stops_at_the_ratio(zeros_zip):
    # The ratio (100:1 of ~50 KB) is reached after ~5 MB, long before the 8 MiB total.
    limits = ArchiveLimits(max_total_bytes=8 * MiB)
    with open_archive(zeros_zip, limits) as archive:
        members = {m.name: m for m, _ in archive.members()}
        with pytest.raises(BadArchive, match=r"'bomb.txt' is compressed more than 100:1"):
            archive.read(members["bomb.txt"])
        assert archive.read(members["ok.txt"]) == b"fine"


def test_a_whole_zip_bomb_is_refused_at_open(tmp_path):
    # Many members, each too small for its own ratio check, bomb together.
    members = {f"{n}.txt": bytes(900 * KiB) for n in range(8)}
    path = make_zip(tmp_path / "bomb.zip", {**members, "b.txt": b"small"})
    with pytest.raises(BadArchive, match=r"compressed \d+:1 overall, more than 100:1"):
        open_archive(path)
    with open_archive(path, ArchiveLimits(max_ratio=100_000)) as archive:  # a bound, not a rule
        assert len(list(archive.members())) == 9


def test_one_bomb_member_fails_alone_and_the_rest_of_the_zip_is_read(tmp_path):
    path = make_zip(tmp_path / "news.zip", {"a.txt": bytes(5 * MiB), "b.txt": b"small"})
    with open_archive(path) as archive:
        members = {m.name: m for m, _ in archive.members()}
        with pytest.raises(BadArchive, match=r"'a.txt' is compressed more than 100:1"):
            archive.read(members["a.txt"])
        assert archive.read(members["b.txt"]) == b"small"


def test_the_total_bound_covers_all_reads_of_an_archive(tmp_path):
    members = {f"{n}.txt": os.urandom(400 * KiB) for n in range(4)}
    path = make_zip(tmp_path / "a.zip", members, stored=True)
    with open_archive(path, ArchiveLimits(max_total_bytes=1 * MiB)) as archive:
        found = [m for m, _ in archive.members()]
        assert archive.read(found[0]) == members["0.txt"]
        assert archive.read(found[1]) == members["1.txt"]
        with pytest.raises(BadArchive, match="'2.txt' unpacks to more than the 1 MiB bound on a "
                                             "whole archive"):
            archive.read(found[2])


def test_a_zip_member_declaring_a_smaller_size_is_refused(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"liar.txt": b"x" * 100_000})
    patch_zip_sizes(path, b"liar.txt", 1000)
    with open_archive(path) as archive:
        (member, error), = archive.members()
        assert member.size == 1000 and error is None
        with pytest.raises(BadArchive, match="member 'liar.txt' is corrupt or truncated"):
            archive.read(member)


def test_a_zip_member_declaring_a_larger_size_is_refused(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"liar.txt": b"x" * 1000})
    patch_zip_sizes(path, b"liar.txt", 100_000)
    with open_archive(path) as archive:
        (member, _), = archive.members()
        with pytest.raises(BadArchive, match="member 'liar.txt'"):
            archive.read(member)


def test_too_many_members(tmp_path):
    entries = {f"{n}.txt": b"x" for n in range(11)}
    limits = ArchiveLimits(max_members=10)
    with pytest.raises(BadArchive, match="11 members, more than the 10 allowed"):
        open_archive(make_zip(tmp_path / "a.zip", entries), limits)
    with pytest.raises(BadArchive, match="more than 10 members"):
        open_archive(make_tgz(tmp_path / "a.tgz", entries), limits)
    with open_archive(make_tgz(tmp_path / "b.tgz", dict(list(entries.items())[:10])), limits) as ok:
        assert len(listing(ok)) == 10


def test_a_tar_bomb_is_refused_before_it_is_decompressed(tmp_path):
    path = make_tgz(tmp_path / "bomb.tgz", {"a.txt": b"hello", "zeros.txt": bytes(30 * MiB)})
    assert path.stat().st_size < 100 * KiB
    with pytest.raises(BadArchive, match="unpacks to more than 100 times its size"):
        open_archive(path)


def test_a_tar_header_lying_about_its_size_is_refused(tmp_path):
    huge, _ = tar_entry("huge.txt")
    huge.size = 10 * 1024 * MiB  # the header says 10 GiB; no data follows
    path = tmp_path / "liar.tgz"
    path.write_bytes(gzip.compress(tar_bytes([(huge, b""), tar_entry("b.txt", b"b")])))
    with pytest.raises(BadArchive, match="unpacks to more than 100 times its size"):
        open_archive(path)
    small, _ = tar_entry("small.txt")
    small.size = 3 * MiB  # within the ratio bound, but the stream is shorter
    path.write_bytes(gzip.compress(tar_bytes([(small, b"")])))
    with pytest.raises(BadArchive, match="truncated"):
        open_archive(path, ArchiveLimits(max_ratio=1_000_000))


def test_a_tar_member_beyond_the_member_bound(tmp_path):
    path = make_tgz(tmp_path / "a.tgz", {"big.txt": os.urandom(300 * KiB), "b.txt": b"b"})
    with open_archive(path, ArchiveLimits(max_member_bytes=100 * KiB)) as archive:
        members = [m for m, _ in archive.members()]
        with pytest.raises(BadArchive, match="'big.txt' unpacks to more than the 100 KiB bound"):
            archive.read(members[0])
        assert archive.read(members[1]) == b"b"


def test_huge_tar_headers_are_refused(tmp_path):
    big, _ = tar_entry("a.txt", b"a")
    big.pax_headers = {"comment": "x" * (2 * MiB)}  # tarfile would read it whole into memory
    (tmp_path / "big.tgz").write_bytes(gzip.compress(tar_bytes([(big, b"a")])))
    with pytest.raises(BadArchive, match="holds a header or block larger than 1 MiB"):
        open_archive(tmp_path / "big.tgz")
    many = []
    for n in range(100):
        info, data = tar_entry(f"{n}.txt", b"x")
        info.pax_headers = {"comment": "y" * 1000}
        many.append((info, data))
    (tmp_path / "many.tgz").write_bytes(gzip.compress(tar_bytes(many)))
    with pytest.raises(BadArchive, match="headers hold more than 64 KiB"):
        open_archive(tmp_path / "many.tgz", ArchiveLimits(max_member_bytes=64 * KiB))
    with open_archive(tmp_path / "many.tgz") as archive:
        assert len(listing(archive)) == 100


# --------------------------------------------------------------------------- damaged archives


def test_not_a_zip(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"this is plain text, not a zip archive")
    with pytest.raises(BadArchive, match=r"a\.zip: not a zip archive, or a corrupt or truncated"):
        open_archive(tmp_path / "a.zip")


def test_truncated_zip(tmp_path):
    good = make_zip(tmp_path / "good.zip", {"a.txt": b"hello " * 1000, "b.txt": b"b"})
    (tmp_path / "cut.zip").write_bytes(good.read_bytes()[:-40])
    with pytest.raises(BadArchive, match="not a zip archive, or a corrupt or truncated one"):
        open_archive(tmp_path / "cut.zip")


def test_corrupt_zip_member_data(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"a.txt": os.urandom(3000).hex().encode(), "b.txt": b"b"})
    data = bytearray(path.read_bytes())
    start = data.find(b"a.txt") + len(b"a.txt")
    data[start + 10:start + 30] = b"\xff" * 20  # garble the deflate stream
    path.write_bytes(bytes(data))
    with open_archive(path) as archive:
        members = [m for m, _ in archive.members()]
        with pytest.raises(BadArchive, match="member 'a.txt' is corrupt or truncated"):
            archive.read(members[0])
        assert archive.read(members[1]) == b"b"


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9])
def test_truncated_tgz(tmp_path, cut):
    good = make_tgz(tmp_path / "good.tgz", {f"{n}.txt": os.urandom(20 * KiB) for n in range(5)})
    data = good.read_bytes()
    (tmp_path / "cut.tgz").write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(BadArchive, match=r"cut\.tgz: truncated"):
        open_archive(tmp_path / "cut.tgz")


@pytest.mark.parametrize("where", [0.01, 0.5, 0.9, -6])
def test_corrupt_gzip_stream(tmp_path, where):
    good = make_tgz(tmp_path / "good.tgz", {f"{n}.txt": os.urandom(20 * KiB) for n in range(5)})
    data = bytearray(good.read_bytes())
    at = int(len(data) * where) + 12 if where > 0 else len(data) + where  # -6: in the CRC
    data[at:at + 16] = bytes(b ^ 0xFF for b in data[at:at + 16])
    (tmp_path / "bad.tgz").write_bytes(bytes(data))
    with pytest.raises(BadArchive, match=r"bad\.tgz: corrupt compressed data"):
        open_archive(tmp_path / "bad.tgz")


def test_not_gzip_and_not_tar(tmp_path):
    (tmp_path / "a.tgz").write_bytes(b"PK\x03\x04 a zip named .tgz")
    with pytest.raises(BadArchive, match="not a gzip-compressed tar archive"):
        open_archive(tmp_path / "a.tgz")
    (tmp_path / "b.tar.gz").write_bytes(gzip.compress(b"just some text, no tar inside " * 40))
    with pytest.raises(BadArchive, match="not a tar archive inside the gzip stream"):
        open_archive(tmp_path / "b.tar.gz")
    (tmp_path / "c.tgz").write_bytes(b"")
    with pytest.raises(BadArchive, match="empty file"):
        open_archive(tmp_path / "c.tgz")


def test_data_after_a_damaged_tar_header_is_not_silently_dropped(tmp_path):
    raw = bytearray(tar_bytes({"a.txt": b"a" * 10, "b.txt": b"b" * 10, "c.txt": b"c"}))
    raw[1024 + 148:1024 + 156] = b"9999999\0"  # b.txt's header checksum: tarfile sees an end
    (tmp_path / "a.tgz").write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(BadArchive, match="corrupt: unreadable data after member 1"):
        open_archive(tmp_path / "a.tgz")


def test_labels_replace_the_path_in_messages(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"nope")
    with pytest.raises(BadArchive) as info:
        open_archive(tmp_path / "a.zip", label="")
    assert info.value.message.startswith("not a zip archive")
    path = make_zip(tmp_path / "b.zip", {"../x.txt": b"x"})
    with open_archive(path, label="upload.zip") as archive:
        assert listing(archive) == [("../x.txt", "upload.zip: member '../x.txt' leaves the archive (..)")]
