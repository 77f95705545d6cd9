"""The MNIST downloader against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_folder
from cnn_desktop.data.download import (
    DEFAULT_MIRRORS,
    DEFAULT_SIZES,
    SIZE_MARGIN,
    DownloadCancelled,
    DownloadError,
    download_mnist,
    full_mnist_available,
)
from cnn_desktop.data.idx import write_idx

NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@dataclass
class Route:
    """What the server answers for one path."""

    body: bytes
    status: int = 200
    content_length: int | None = -1  # -1: the real length; None: no header
    trickle: float = 0.0  # seconds between single bytes of the body (0: send it at once)
    endless: bool = False  # send zeros until the client hangs up (after ``body``)


@dataclass
class Server:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def mirror(self, name: str) -> str:
        return f"{self.base}/{name}/"

    def serve(self, mirror: str, files: dict[str, bytes]) -> None:
        for name, body in files.items():
            self.routes[f"/{mirror}/{name}"] = Route(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hangs up on purpose in the cancel and truncation tests


class _Handler(BaseHTTPRequestHandler):
    server: _QuietServer

    def do_GET(self) -> None:  # http.server's naming
        state: Server = self.server.state  # type: ignore[attr-defined]
        state.hits.append(self.path)
        route = state.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(route.status)
        if route.content_length is not None:
            length = len(route.body) if route.content_length < 0 else route.content_length
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.close_connection = True
        try:
            if route.trickle:
                for index in range(min(len(route.body), int(20 / route.trickle))):  # gives up after 20 s
                    self.wfile.write(route.body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(route.trickle)
                return
            self.wfile.write(route.body)
            for _ in range(2000 if route.endless else 0):  # 128 MB at most, should the client never stop
                self.wfile.write(bytes(65536))
            self.wfile.flush()
        except OSError:
            pass  # the client hung up

    def log_message(self, format: str, *args: object) -> None:  # silence the request log
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    state = Server(base=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Four small, valid MNIST-format gzip files; the training images are ~120 KB."""
    folder = tmp_path_factory.mktemp("src")
    rng = np.random.default_rng(3)
    for prefix, n in (("train", 150), ("t10k", 20)):
        write_idx(
            folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), compress=True
        )
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n, dtype=np.uint8), compress=True)
    return {name: (folder / name).read_bytes() for name in NAMES}


@pytest.fixture(scope="module")
def checksums(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.md5(body).hexdigest() for name, body in files.items()}


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def test_good_download(tmp_path: Path, server: Server, files, checksums) -> None:
    server.serve("a", files)
    folder = tmp_path / "cache" / "mnist"
    assert not full_mnist_available(folder, checksums)

    result = download_mnist(folder, mirrors=[server.mirror("a")], checksums=checksums, timeout=5)

    assert result == folder
    assert _listing(folder) == sorted(NAMES)
    for name in NAMES:
        assert (folder / name).read_bytes() == files[name]
    assert full_mnist_available(folder, checksums)
    digits = load_folder(folder)
    assert digits.train_images.shape == (150, 28, 28) and digits.test_labels.shape == (20,)


def test_corrupt_mirror_falls_through_to_next(tmp_path, server, files, checksums) -> None:
    corrupt = dict(files)
    body = bytearray(files["train-images-idx3-ubyte.gz"])
    body[len(body) // 2] ^= 0xFF
    corrupt["train-images-idx3-ubyte.gz"] = bytes(body)
    server.serve("bad", corrupt)
    server.serve("good", files)

    download_mnist(tmp_path, mirrors=[server.mirror("bad"), server.mirror("good")], checksums=checksums, timeout=5)

    assert _listing(tmp_path) == sorted(NAMES)
    assert (tmp_path / "train-images-idx3-ubyte.gz").read_bytes() == files["train-images-idx3-ubyte.gz"]
    assert "/bad/train-images-idx3-ubyte.gz" in server.hits
    assert "/good/train-images-idx3-ubyte.gz" in server.hits
    assert "/good/train-labels-idx1-ubyte.gz" not in server.hits  # first mirror was fine


@pytest.mark.parametrize("kind", ["length-header-too-large", "short-body"])
def test_truncated_response(tmp_path, server, files, checksums, kind: str) -> None:
    name = "train-images-idx3-ubyte.gz"
    body = files[name]
    server.serve("cut", files)
    if kind == "length-header-too-large":
        server.routes[f"/cut/{name}"] = Route(body, content_length=len(body) + 5000)
    else:
        server.routes[f"/cut/{name}"] = Route(body[: len(body) // 3])

    with pytest.raises(DownloadError) as info:
        download_mnist(tmp_path, mirrors=[server.mirror("cut")], checksums=checksums, timeout=5)
    message = str(info.value)
    assert name in message and server.mirror("cut") in message
    assert ("truncated" if kind == "length-header-too-large" else "checksum mismatch") in message
    assert _listing(tmp_path) == []  # no partial file, no temp file

    server.serve("good", files)
    download_mnist(tmp_path, mirrors=[server.mirror("cut"), server.mirror("good")], checksums=checksums, timeout=5)
    assert full_mnist_available(tmp_path, checksums)
    assert _listing(tmp_path) == sorted(NAMES)


def test_404_everywhere(tmp_path, server, checksums) -> None:
    refused = _closed_port_url()
    mirrors = [server.mirror("x"), server.mirror("y"), refused]
    folder = tmp_path / "mnist"
    with pytest.raises(DownloadError) as info:
        download_mnist(folder, mirrors=mirrors, checksums=checksums, timeout=5)
    message = str(info.value)
    assert "could not download train-images-idx3-ubyte.gz" in message
    assert f"{server.mirror('x')}train-images-idx3-ubyte.gz: HTTP 404" in message
    assert f"{server.mirror('y')}train-images-idx3-ubyte.gz: HTTP 404" in message
    assert f"{refused}train-images-idx3-ubyte.gz: cannot connect" in message
    assert _listing(folder) == []
    assert not full_mnist_available(folder, checksums)


def test_cancel_mid_download(tmp_path, server, files, checksums) -> None:
    server.serve("a", files)
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int | None, name: str) -> None:
        seen.append(done)
        if done >= 8192:
            cancel.set()

    with pytest.raises(DownloadCancelled):
        download_mnist(
            tmp_path,
            mirrors=[server.mirror("a")],
            checksums=checksums,
            progress=progress,
            cancel=cancel,
            chunk_size=4096,
            timeout=5,
        )
    assert max(seen) < len(files["train-images-idx3-ubyte.gz"])  # really mid-file
    assert _listing(tmp_path) == []


def test_cancel_with_callable_before_start(tmp_path, server, files, checksums) -> None:
    server.serve("a", files)
    with pytest.raises(DownloadCancelled):
        download_mnist(tmp_path, mirrors=[server.mirror("a")], checksums=checksums, cancel=lambda: True, timeout=5)
    assert server.hits == []
    assert _listing(tmp_path) == []


def test_progress_increases_to_total(tmp_path, server, files, checksums) -> None:
    server.serve("a", files)
    calls: dict[str, list[tuple[int, int | None]]] = {}

    def progress(done: int, total: int | None, name: str) -> None:
        calls.setdefault(name, []).append((done, total))

    download_mnist(
        tmp_path, mirrors=[server.mirror("a")], checksums=checksums, progress=progress, chunk_size=8192, timeout=5
    )

    assert list(calls) == list(NAMES)
    for name, seq in calls.items():
        size = len(files[name])
        done = [d for d, _ in seq]
        assert done[0] == 0 and done[-1] == size
        assert (np.diff(done) > 0).all()
        assert {t for _, t in seq} == {size}
    assert len(calls["train-images-idx3-ubyte.gz"]) > 10


def test_progress_without_content_length(tmp_path, server, files, checksums) -> None:
    server.serve("a", files)
    for name in NAMES:
        server.routes[f"/a/{name}"].content_length = None
    totals: set[int | None] = set()
    download_mnist(
        tmp_path,
        mirrors=[server.mirror("a")],
        checksums=checksums,
        progress=lambda done, total, name: totals.add(total),
        timeout=5,
    )
    assert totals == {None}
    assert full_mnist_available(tmp_path, checksums)


def test_present_files_are_skipped(tmp_path, server, files, checksums) -> None:
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    reported: list[tuple[int, int | None, str]] = []
    download_mnist(
        tmp_path,
        mirrors=[server.mirror("empty")],
        checksums=checksums,
        progress=lambda *args: reported.append(args),
        timeout=5,
    )
    assert server.hits == []
    assert reported == [(len(files[n]), len(files[n]), n) for n in NAMES]


def test_corrupt_present_file_is_replaced_and_stale_temp_removed(tmp_path, server, files, checksums) -> None:
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    (tmp_path / ".train-images-idx3-ubyte.gz.abc123.part").write_bytes(b"left by a crash")
    server.serve("a", files)

    download_mnist(tmp_path, mirrors=[server.mirror("a")], checksums=checksums, timeout=5)

    assert server.hits == ["/a/t10k-labels-idx1-ubyte.gz"]
    assert _listing(tmp_path) == sorted(NAMES)
    assert full_mnist_available(tmp_path, checksums)


def test_cancel_is_prompt_even_while_a_server_trickles(tmp_path, server, files, checksums) -> None:
    server.serve("slow", files)
    server.routes["/slow/train-images-idx3-ubyte.gz"].trickle = 0.5
    cancel = threading.Event()
    outcome: list[object] = []

    def run() -> None:
        try:
            download_mnist(tmp_path, mirrors=[server.mirror("slow")], checksums=checksums, cancel=cancel, timeout=30)
        except BaseException as exc:  # noqa: BLE001 - the test looks at what came out
            outcome.append(exc)
        outcome.append(time.monotonic())

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(1.2)  # a few bytes have arrived; the read now waits on the next one
    cancelled_at = time.monotonic()
    cancel.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert isinstance(outcome[0], DownloadCancelled), outcome
    assert outcome[1] - cancelled_at < 0.5
    assert _listing(tmp_path) == []


def test_a_server_sending_too_much_is_cut_at_the_byte_cap(tmp_path, server, files, checksums) -> None:
    name = "train-labels-idx1-ubyte.gz"
    server.serve("flood", files)
    server.routes[f"/flood/{name}"] = Route(files[name], content_length=None, endless=True)
    server.serve("liar", files)
    server.routes[f"/liar/{name}"] = Route(files[name], content_length=10**12)
    with pytest.raises(DownloadError) as info:
        download_mnist(tmp_path, mirrors=[server.mirror("flood"), server.mirror("liar")], checksums=checksums)
    cap = DEFAULT_SIZES[name] + SIZE_MARGIN
    assert f"sent more than the {cap:,} bytes expected" in str(info.value)
    assert f"announces 1,000,000,000,000 bytes, more than the {cap:,} expected" in str(info.value)
    assert _listing(tmp_path) == ["train-images-idx3-ubyte.gz"]  # verified before; nothing partial


def test_default_mirrors_are_https_only() -> None:
    assert DEFAULT_MIRRORS and all(mirror.startswith("https://") for mirror in DEFAULT_MIRRORS)
