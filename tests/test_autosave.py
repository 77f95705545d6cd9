"""The autosave store: crash recovery, clean exits, and unreadable autosaves discarded with a message."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop import autosave
from cnn_desktop.autosave import AUTOSAVE_NAME, AutosaveError, AutosaveStore
from cnn_desktop.engine import Network, Unit
from cnn_desktop.session import Session
from cnn_desktop.session_file import SessionFileError

SPEC = [{"type": "conv", "out_channels": 2, "kernel": 3}, {"type": "relu"}, {"type": "flatten"}, {"type": "dense"}]
OPTIONS = {"colormap": "magma", "zoom": 1.5, "player": {"position": 4}}


def make_session(seed: int = 0) -> Session:
    rng = np.random.default_rng(seed)
    net = Network.from_spec(SPEC, (1, 7, 7), seed=seed)
    for array in net.params.values():
        array[...] = rng.normal(0, 1, array.shape)
    image = rng.random((7, 7), dtype=np.float32)
    return Session(image=image, network=net, selection=Unit(1, 1, 2, 3), caption=f"slide {seed}")


def assert_same(a: Session, b: Session) -> None:
    assert a.image.tobytes() == b.image.tobytes()
    assert a.network.spec == b.network.spec
    assert {k: v.tobytes() for k, v in a.network.params.items()} == {
        k: v.tobytes() for k, v in b.network.params.items()
    }
    assert (a.selection, a.caption) == (b.selection, b.caption)


def test_crash_leaves_an_autosave_to_restore(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    assert store.pending_restore() is None
    session = make_session()
    assert store.save(session, OPTIONS) == tmp_path / AUTOSAVE_NAME
    # the app "crashes": no clean exit; the next run opens a new store on the same folder
    again = AutosaveStore(tmp_path)
    assert again.pending_restore() == tmp_path / AUTOSAVE_NAME
    restored, options = again.restore()
    assert_same(restored, session)
    assert options == OPTIONS
    # the autosave stays until the next save or clean exit: a second crash still loses nothing
    assert again.pending_restore() is not None


def test_clean_exit_leaves_nothing_pending(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    store.save(make_session(), OPTIONS)
    store.mark_clean_exit()
    assert AutosaveStore(tmp_path).pending_restore() is None
    assert not (tmp_path / AUTOSAVE_NAME).exists()
    with pytest.raises(AutosaveError, match="no autosaved session"):
        AutosaveStore(tmp_path).restore()
    # the next run saves again: a crash after that is recovered
    store.save(make_session(1), {})
    assert AutosaveStore(tmp_path).pending_restore() is not None


def test_autosave_kept_after_a_failed_delete_is_not_offered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = AutosaveStore(tmp_path)
    store.save(make_session(), OPTIONS)
    real_unlink = Path.unlink

    def refuse(self: Path, missing_ok: bool = False) -> None:
        if self.name == AUTOSAVE_NAME:
            raise PermissionError(13, "Permission denied")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    store.mark_clean_exit()  # never raises
    monkeypatch.undo()
    assert (tmp_path / AUTOSAVE_NAME).exists()
    assert store.pending_restore() is None  # the clean-exit marker says it is stale


def test_only_the_latest_is_kept(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    store.save(make_session(1), {"n": 1})
    store.save(make_session(2), {"n": 2})
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [AUTOSAVE_NAME]
    restored, options = store.restore()
    assert_same(restored, make_session(2))
    assert options == {"n": 2}


def test_corrupt_autosave_is_discarded_with_a_message(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    store.save(make_session(), OPTIONS)
    path = tmp_path / AUTOSAVE_NAME
    path.write_bytes(path.read_bytes()[:100])  # e.g. a disk that lost the end of the file
    assert store.pending_restore() == path
    with pytest.raises(AutosaveError) as info:
        store.restore()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("the autosaved session could not be restored and was discarded: autosave.cnnd: ")
    assert isinstance(info.value, SessionFileError)
    assert store.pending_restore() is None
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_previous_autosave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = AutosaveStore(tmp_path)
    store.save(make_session(1), {"n": 1})
    before = (tmp_path / AUTOSAVE_NAME).read_bytes()

    def disk_full(*args, **kwargs) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(AutosaveError, match=r"autosave failed: autosave\.cnnd: cannot write the file"):
        store.save(make_session(2), {"n": 2})
    monkeypatch.undo()
    assert (tmp_path / AUTOSAVE_NAME).read_bytes() == before
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [AUTOSAVE_NAME]
    assert store.restore()[1] == {"n": 1}


def test_unsavable_folder_raises_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(AutosaveError, match="cannot autosave to"):
        AutosaveStore(blocker / "autosave").save(make_session())
    with pytest.raises(AutosaveError, match="view options"):
        AutosaveStore(tmp_path / "store").save(make_session(), {"zoom": (1, 2)})


def test_leftovers_of_a_killed_save_are_cleaned(tmp_path: Path) -> None:
    leftover = tmp_path / f".{AUTOSAVE_NAME}.abc123.tmp"
    leftover.write_bytes(b"half a file")
    store = AutosaveStore(tmp_path)
    assert store.pending_restore() is None
    store.save(make_session())
    assert not leftover.exists()


def test_discard(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    store.save(make_session())
    store.discard()
    assert store.pending_restore() is None
    assert list(tmp_path.iterdir()) == []
    store.discard()  # nothing to discard: no error


def test_clean_exit_without_a_folder_creates_nothing(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path / "never")
    store.mark_clean_exit()
    assert store.pending_restore() is None
    assert not (tmp_path / "never").exists()


def test_autosave_is_private(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("POSIX permissions")
    AutosaveStore(tmp_path).save(make_session())
    assert (tmp_path / AUTOSAVE_NAME).stat().st_mode & 0o777 == 0o600


def test_default_folder_is_in_the_user_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    calls = []

    def fake_user_data_dir(appname: str) -> str:
        calls.append(appname)
        return str(tmp_path / "data")

    monkeypatch.setattr(platformdirs, "user_data_dir", fake_user_data_dir)
    store = AutosaveStore()
    assert store.folder == tmp_path / "data" / "autosave"
    assert calls == ["cnn-desktop"]
    assert autosave.default_folder() == store.folder
    assert not store.folder.exists()  # nothing is created until the first save
