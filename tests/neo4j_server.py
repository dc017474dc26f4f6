"""A real Neo4j Community server for the tests, started from the Maven launcher in neo4j_launcher/.

No Docker engine runs on the development and CI machines, so the tests build a small Java program
(tests/neo4j_launcher) that embeds Neo4j Community 5.26 LTS from Maven Central and serves Bolt on
a free loopback port with authentication on. The build runs once and is cached: it is redone only
when the pom or the Java sources change (their hash is stamped next to the jar).

Use `python tests/neo4j_server.py` to build and start one by hand; it prints the URI and password.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j_launcher"
TARGET_DIR = LAUNCHER_DIR / "target"
LAUNCHER_JAR = TARGET_DIR / "neo4j-test-launcher-1.0.jar"
BUILD_STAMP = TARGET_DIR / "aimstrace-build.sha256"
BUILD_LOCK = LAUNCHER_DIR / ".build.lock"

PASSWORD_ENV = "AIMSTRACE_NEO4J_LAUNCHER_PASSWORD"  # read by the Java launcher
READY_PREFIX = "NEO4J-TEST-LAUNCHER READY "
LOG_TAIL_CHARS = 6000


class Neo4jServerError(RuntimeError):
    """The launcher could not be built, or the server did not start or stop as expected."""


def build_inputs_hash() -> str:
    """SHA-256 over the pom and every Java source, the cache key of the launcher build."""
    digest = hashlib.sha256()
    inputs = [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]
    for path in inputs:
        digest.update(str(path.relative_to(LAUNCHER_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _build_is_current(expected_hash: str) -> bool:
    if not (LAUNCHER_JAR.is_file() and (TARGET_DIR / "lib").is_dir() and BUILD_STAMP.is_file()):
        return False
    return BUILD_STAMP.read_text().strip() == expected_hash


def ensure_built() -> Path:
    """Build the launcher with Maven unless the cached build matches the sources; return the jar."""
    expected_hash = build_inputs_hash()
    if _build_is_current(expected_hash):
        return LAUNCHER_JAR
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError(
            "Maven ('mvn') is not on PATH; it is needed once to build tests/neo4j_launcher"
        )
    # Several test processes may share the checkout: one builds, the others wait and reuse it.
    with BUILD_LOCK.open("w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        if _build_is_current(expected_hash):
            return LAUNCHER_JAR
        BUILD_STAMP.unlink(missing_ok=True)
        command = [mvn, "-q", "-B", *os.environ.get("AIMSTRACE_MVN_ARGS", "").split(), "package"]
        result = subprocess.run(
            command,
            cwd=LAUNCHER_DIR,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if result.returncode != 0 or not LAUNCHER_JAR.is_file():
            output = (result.stdout + result.stderr)[-LOG_TAIL_CHARS:]
            raise Neo4jServerError(
                f"building the Neo4j launcher failed: `{' '.join(command)}` in {LAUNCHER_DIR} "
                f"exited with {result.returncode}:\n{output}"
            )
        BUILD_STAMP.write_text(expected_hash + "\n")
    return LAUNCHER_JAR


def java_executable() -> str:
    """The `java` to run the launcher with: $JAVA_HOME/bin/java if set, else the one on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise Neo4jServerError("no 'java' on PATH and no JAVA_HOME; Neo4j 5.26 needs Java 17 or 21")
    return java


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return f"(no {path.name})"


class Neo4jTestServer:
    """Context manager: a throwaway Neo4j on a free loopback port, random password, temp data."""

    user = "neo4j"

    def __init__(
        self,
        *,
        heap: str = "1g",
        page_cache: str = "256m",
        startup_timeout: float | None = None,
        stop_timeout: float = 30.0,
    ) -> None:
        self.heap = heap
        self.page_cache = page_cache
        # A loaded 2-core machine can take a minute to start the JVM and both databases.
        self.startup_timeout = startup_timeout or float(
            os.environ.get("AIMSTRACE_NEO4J_START_TIMEOUT", "120")
        )
        self.stop_timeout = stop_timeout
        self.password = secrets.token_urlsafe(24)
        self.port = 0
        self.home: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def uri(self) -> str:
        """The Bolt URI the server listens on."""
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def auth(self) -> tuple[str, str]:
        """(user, password) as the neo4j driver takes them."""
        return (self.user, self.password)

    @property
    def log_path(self) -> Path:
        """The launcher's combined stdout and stderr."""
        assert self.home is not None, "server not started"
        return self.home / "launcher.log"

    def rss_bytes(self) -> int:
        """Resident memory of the server process, from /proc."""
        assert self.process is not None, "server not started"
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise Neo4jServerError(f"no VmRSS in /proc/{self.process.pid}/status")

    def start(self) -> Neo4jTestServer:
        """Build if needed, start the server and wait until Bolt accepts the password."""
        jar = ensure_built()
        java = java_executable()
        self.home = Path(tempfile.mkdtemp(prefix="aimstrace-neo4j-"))
        started = time.monotonic()
        try:
            # A port found free can be taken before Java binds it; try a fresh one then.
            for _attempt in range(3):
                self.port = free_loopback_port()
                if self._launch(java, jar):
                    break
            else:
                raise self._failure("the Bolt port was taken three times in a row")
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def _launch(self, java: str, jar: Path) -> bool:
        """Start the JVM and wait for READY; False if only the port was taken."""
        assert self.home is not None
        command = [
            java,
            f"-Xmx{self.heap}",
            "-Xms128m",
            "-XX:+UseG1GC",
            "-XX:-OmitStackTraceInFastThrow",
            "-Djdk.nio.maxCachedBufferSize=1024",
            "-jar",
            str(jar),
            "--port",
            str(self.port),
            "--home",
            str(self.home / "neo4j"),
            "--page-cache",
            self.page_cache,
            "--exit-on-stdin-eof",
        ]
        env = {**os.environ, PASSWORD_ENV: self.password}
        with self.log_path.open("ab") as log:
            # stdin stays open for the server's life: if this process dies, the pipe closes and the
            # launcher exits instead of outliving the tests.
            # Own session: a terminal Ctrl-C reaches only us, and we stop the server in order.
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            output = self.log_path.read_text(errors="replace")
            if READY_PREFIX in output:
                return True
            if self.process.poll() is not None:
                if "Address already in use" in output or "BindException" in output:
                    self._reap()
                    return False
                raise self._failure(f"the server exited with code {self.process.returncode}")
            time.sleep(0.2)
        raise self._failure(f"the server was not ready within {self.startup_timeout:.0f} s")

    def _failure(self, reason: str) -> Neo4jServerError:
        home = self.home
        debug_log = home / "neo4j" / "logs" / "debug.log" if home else Path("debug.log")
        return Neo4jServerError(
            f"Neo4j test server on port {self.port}: {reason}.\n"
            f"--- launcher output ({self.log_path if home else '?'}) ---\n{_tail(self.log_path)}\n"
            f"--- {debug_log} (tail) ---\n{_tail(debug_log, 3000)}"
        )

    def _reap(self) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        self.process = None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after stop_timeout) and delete its data."""
        try:
            self._reap()
        finally:
            if self.home is not None:
                shutil.rmtree(self.home, ignore_errors=True)
                self.home = None

    def __enter__(self) -> Neo4jTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> int:
    """Build, start and hold a server until Ctrl-C, printing how to reach it."""
    started = time.monotonic()
    ensure_built()
    print(f"launcher built or cached in {time.monotonic() - started:.1f} s", flush=True)
    with Neo4jTestServer() as server:
        print(f"uri={server.uri} user={server.user} password={server.password}")
        print(
            f"started in {server.startup_seconds:.1f} s, RSS {server.rss_bytes() / 2**20:.0f} MiB"
        )
        print("Ctrl-C to stop", flush=True)
        # SIGTERM unwinds like Ctrl-C, so the with-block stops the server and removes its data.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
