"""A real ClamAV daemon for the tests, with a signature database of our own.

There are no signature downloads here, so the tests start their own clamd whose
only signature detects the EICAR anti-virus test file, anywhere in a file. With
that one signature it starts in well under a second; the session shares one.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clamav_client import clamd as clamd_client

from tests.worker import running_worker

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"

# The industry's harmless test "virus". Joined at run time so that this source
# file is not itself reported by a scanner on a developer's machine.
EICAR = "".join(
    ["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-", "TEST-FILE!$H+H*"]
).encode()
SIGNATURE = "Portal.Test.EICAR"
# clamd marks signatures from an unsigned database as unofficial.
REPORTED_SIGNATURE = f"{SIGNATURE}.UNOFFICIAL"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Clamd:
    """One clamd process, on a Unix socket and a loopback TCP port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "clamd.sock"
        self.port = free_port()
        self.log = folder / "clamd.log"
        self.process: subprocess.Popen[bytes] | None = None
        database = folder / "db"
        database.mkdir(parents=True, exist_ok=True)
        # An extended (.ndb) signature: any file type, any offset, these bytes.
        (database / "portal-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
        self.config = folder / "clamd.conf"
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"DatabaseDirectory {database}",
                    f"LocalSocket {self.socket}",
                    "TCPAddr 127.0.0.1",
                    f"TCPSocket {self.port}",
                    f"LogFile {self.log}",
                    "StreamMaxLength 25M",
                    "MaxThreads 2",
                    "SelfCheck 3600",
                    "",
                ]
            )
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [CLAMD, "--config-file", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"clamd exited:\n{self.log_text()}")
            try:
                if clamd_client.ClamdUnixSocket(path=str(self.socket), timeout=2).ping():
                    return
            except clamd_client.ClamdError:
                time.sleep(0.05)
        pytest.fail(f"clamd did not start in time:\n{self.log_text()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else "(no log)"


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    daemon = Clamd(tmp_path_factory.mktemp("clamd"))
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def scanning(clamd: Clamd, settings) -> Clamd:
    """Virus scanning on, for this test, against the session's clamd."""
    settings.CLAMD_SOCKET = str(clamd.socket)
    settings.CLAMD_HOST = ""
    return clamd


@pytest.fixture
def scanning_worker(scanning: Clamd, transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """A real worker that scans with the session's clamd; yields its email folder."""
    with running_worker(tmp_path, CLAMD_SOCKET=str(scanning.socket)) as mail_dir:
        yield mail_dir
