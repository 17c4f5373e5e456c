"""ssh:// engines as the docker CLI reaches them: `ssh HOST docker system dial-stdio`.

The user's own OpenSSH client does the connecting, so their ssh_config, agent, known_hosts
and ProxyJump all apply. It runs in batch mode (a password or host-key prompt would land in
the middle of the UI), with a connect timeout, and what it says on stderr when it fails is
turned into one line that says what to fix.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from urllib.parse import urlparse

from engine_adapters.errors import EngineTimeout, EngineUnavailable, InvalidRequest

CONNECT_TIMEOUT = 5  # seconds for the TCP connection and ssh's banner, ssh's own option
PING = b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"


@dataclass(frozen=True, slots=True)
class SSHHost:
    """Where an ssh:// engine URL points: `ssh://[user@]host[:port]`."""

    url: str
    host: str
    user: str | None = None
    port: int | None = None

    @classmethod
    def parse(cls, url: str) -> SSHHost:
        parsed = urlparse(url)
        try:
            port = parsed.port
        except ValueError:
            raise InvalidRequest(f"bad port in {url!r}") from None
        if parsed.scheme != "ssh" or not parsed.hostname:
            raise InvalidRequest(f"not an ssh://[user@]host[:port] URL: {url!r}")
        if parsed.path not in ("", "/"):
            raise InvalidRequest(f"an ssh:// engine URL has no path: {url!r}")
        return cls(url, parsed.hostname, parsed.username, port)

    def command(self, control_path: str | None = None) -> list[str]:
        """The ssh command line whose stdio is a connection to the host's Docker API; with
        `control_path`, a session on that master connection (connecting alone without it)."""
        mux = (
            ["-o", "ControlMaster=no", "-o", f"ControlPath={control_path}"] if control_path else []
        )
        return [*self._options(), *mux, "--", self.host, "docker", "system", "dial-stdio"]

    def master_command(self, control_path: str) -> list[str]:
        """A master connection whose own session is `cat` reading our pipe: when we are gone,
        however we went, the pipe ends, `cat` ends and the master follows its last session."""
        mux = ["-o", "ControlMaster=yes", "-o", f"ControlPath={control_path}"]
        return [*self._options(), *mux, "--", self.host, "cat"]

    def _options(self) -> list[str]:
        args = ["ssh", "-T", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT}"]
        # a dead link is noticed in about 30 s instead of TCP's minutes
        args += ["-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"]
        config = os.environ.get("DOCKYARD_SSH_CONFIG")
        if config:
            args += ["-F", config]
        if self.user:
            args += ["-l", self.user]
        if self.port:
            args += ["-p", str(self.port)]
        return args


REFUSED = "the host refused our ssh key (add it to the account's authorized_keys or ssh-agent)"
UNKNOWN_HOST = "the host key is unknown or changed (check it, then accept it with a plain ssh)"
NO_DOCKER = "no docker CLI on the host (the ssh engine runs `docker system dial-stdio` there)"
UNANSWERED = ("timed out", "Connection refused", "No route to host", "Network is unreachable")


def explain(host: SSHHost, returncode: int, stderr: str) -> str:
    """One line for a failed `ssh ... docker system dial-stdio`, saying what to fix."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    text = "\n".join(lines)
    where = host.url
    if "Permission denied" in text:
        return f"{where}: {REFUSED}"
    if "Host key verification failed" in text or "REMOTE HOST IDENTIFICATION HAS CHANGED" in text:
        return f"{where}: {UNKNOWN_HOST}"
    if "Could not resolve hostname" in text:
        return f"{where}: unknown host name {host.host!r}"
    if any(s in text for s in UNANSWERED):
        return f"{where}: the host does not answer ({_last(lines)})"
    if returncode == 127 or "docker: not found" in text or "command not found" in text:
        return f"{where}: {NO_DOCKER}"
    if "Cannot connect to the Docker daemon" in text or "permission denied" in text.lower():
        return f"{where}: the host's docker cannot reach its daemon ({_last(lines)})"
    if lines:
        return f"{where}: ssh failed: {_last(lines)}"
    return f"{where}: ssh exited with code {returncode}"


def _last(lines: list[str]) -> str:
    return lines[-1] if lines else "no message"


def probe(host: SSHHost, timeout: float) -> None:
    """Ping the host's engine through one ssh connection; EngineUnavailable says why not."""
    try:
        done = subprocess.run(
            host.command(),
            input=PING,
            capture_output=True,
            timeout=timeout,
            start_new_session=True,  # no terminal to prompt on, and ^C in the UI is not ssh's
        )
    except FileNotFoundError:
        raise EngineUnavailable("no ssh client here: install openssh-client") from None
    except subprocess.TimeoutExpired:
        raise EngineTimeout(
            f"{host.url}: the host does not answer (no reply in {timeout:.0f}s)"
        ) from None
    if done.returncode != 0 or not done.stdout.startswith(b"HTTP/1.1 200"):
        stderr = done.stderr.decode(errors="replace")
        if done.returncode == 0 and not stderr.strip():
            status = done.stdout.split(b"\r\n", 1)[0].decode(errors="replace") or "nothing"
            raise EngineUnavailable(f"{host.url}: the engine answered the ping with {status}")
        raise EngineUnavailable(explain(host, done.returncode, stderr))
