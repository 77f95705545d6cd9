"""The one atomic writer: content, permissions, and no change to the process umask."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cnn_desktop import fileio
from cnn_desktop.fileio import atomic_write_bytes

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


@pytest.fixture
def umask_027():
    """Run the test under umask 027 (set once here, by the test, not by the code under test)."""
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_writes_the_bytes_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "picture.png"
    atomic_write_bytes(path, b"first")
    atomic_write_bytes(path, b"second")
    assert path.read_bytes() == b"second"
    assert [entry.name for entry in tmp_path.iterdir()] == ["picture.png"]


@posix_only
def test_new_file_gets_the_umask_permissions_without_touching_the_umask(
    tmp_path: Path, umask_027, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(mask: int) -> int:
        raise AssertionError("the writer must not change the process umask")

    monkeypatch.setattr(os, "umask", forbidden)
    atomic_write_bytes(tmp_path / "new.bin", b"x")
    assert (tmp_path / "new.bin").stat().st_mode & 0o777 == 0o640


@posix_only
def test_replacing_keeps_the_old_permissions_and_private_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "shared.bin"
    path.write_bytes(b"old")
    os.chmod(path, 0o604)
    atomic_write_bytes(path, b"new")
    assert path.stat().st_mode & 0o777 == 0o604
    atomic_write_bytes(path, b"newer", private=True)
    assert path.stat().st_mode & 0o777 == 0o600


@posix_only
def test_threads_writing_at_once_all_get_the_same_permissions(tmp_path: Path, umask_027) -> None:
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for round_ in range(20):
                atomic_write_bytes(tmp_path / f"file-{index}-{round_}.bin", b"payload")
        except BaseException as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    modes = {entry.stat().st_mode & 0o777 for entry in tmp_path.iterdir()}
    assert modes == {0o640}


def test_failure_removes_the_temporary_and_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kept.bin"
    atomic_write_bytes(path, b"old")

    def disk_full(handle, payload: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio, "_write_payload", disk_full)
    with pytest.raises(OSError, match="No space"):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [entry.name for entry in tmp_path.iterdir()] == ["kept.bin"]
