"""The /etc/resolv.conf and /etc/hosts a container gets, as text the daemon writes."""

from __future__ import annotations

from pathlib import Path

from native_runtime.network.model import UserDns

# What Docker falls back to when the host only knows a loopback resolver.
FALLBACK_RESOLVERS = ("8.8.8.8", "8.8.4.4")

NO_USER_DNS = UserDns()

HOSTS_HEADER = (
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "ff00::0\tip6-mcastprefix\n"
    "ff02::1\tip6-allnodes\n"
    "ff02::2\tip6-allrouters\n"
)


def read_host(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def resolv_conf(host_text: str, embedded_dns: str | None, user: UserDns = NO_USER_DNS) -> str:
    """Point at the embedded DNS (user networks) or copy the host's usable resolvers.

    dockerd's layout: search, nameservers, options. A loopback resolver on the host
    (systemd-resolved's 127.0.0.53) means nothing inside the container's namespace, so
    it is dropped, as Docker does. On a user network the user's `--dns` servers are not
    written here (the embedded DNS forwards to them) and `ndots:0` is added unless an
    ndots option is already there.
    """
    servers: list[str] = []
    search: list[str] = []
    options: list[str] = []
    for line in host_text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith(("#", ";")):
            continue
        if parts[0] == "nameserver" and len(parts) > 1:
            if not parts[1].startswith("127.") and parts[1] != "::1":
                servers.append(parts[1])
        elif parts[0] in ("search", "domain"):
            search.append(line.strip())
        elif parts[0] == "options":
            options += parts[1:]
    if user.search:
        search = ["search " + " ".join(user.search)]
    if user.options:
        options = list(user.options)
    if embedded_dns is not None:
        servers = [embedded_dns]
        if not any(o.startswith("ndots:") for o in options):
            options.append("ndots:0")
    elif user.servers:
        servers = list(user.servers)
    elif not servers:
        servers = list(FALLBACK_RESOLVERS)
    lines = [*search, *(f"nameserver {s}" for s in servers)]
    if options:
        lines.append("options " + " ".join(options))
    return "".join(f"{line}\n" for line in lines)


def hosts(own: list[tuple[str, str]], links: list[tuple[str, list[str]]]) -> str:
    """Docker's layout: localhost lines, the container's own names, then its links."""
    lines = [HOSTS_HEADER]
    lines += [f"{ip}\t{names}\n" for ip, names in own]
    lines += [f"{ip}\t{' '.join(names)}\n" for ip, names in links]
    return "".join(lines)


def hosts_with(text: str, ip: str, names: str) -> str:
    """A live connect adds the container's address on the new network, as dockerd does."""
    line = f"{ip}\t{names}\n"
    if line in text.splitlines(keepends=True):
        return text
    return text + ("" if not text or text.endswith("\n") else "\n") + line


def hosts_without(text: str, ip: str) -> str:
    """A live disconnect drops the lines of the address that left; ExtraHosts stay."""
    return "".join(line for line in text.splitlines(keepends=True) if line.split()[:1] != [ip])


def rewrite_in_place(path: Path, text: str) -> None:
    """Truncate and write the same inode, which is bind-mounted into a running container.

    A rename would leave the container looking at the old file.
    """
    with open(path, "r+" if path.exists() else "w") as out:
        out.seek(0)
        out.write(text)
        out.truncate()
