"""The /etc/resolv.conf and /etc/hosts a container gets, as text the daemon writes."""

from __future__ import annotations

from pathlib import Path

# What Docker falls back to when the host only knows a loopback resolver.
FALLBACK_RESOLVERS = ("8.8.8.8", "8.8.4.4")

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


def resolv_conf(host_text: str, embedded_dns: str | None) -> str:
    """Point at the network's DNS (user networks) or copy the host's usable resolvers.

    A loopback resolver on the host (systemd-resolved's 127.0.0.53) means nothing inside
    the container's namespace, so it is dropped, as Docker does.
    """
    keep: list[str] = []
    servers: list[str] = []
    for line in host_text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith(("#", ";")):
            continue
        if parts[0] == "nameserver" and len(parts) > 1:
            if not parts[1].startswith("127.") and parts[1] != "::1":
                servers.append(parts[1])
        elif parts[0] in ("search", "domain", "options"):
            keep.append(line.strip())
    if embedded_dns is not None:
        servers = [embedded_dns]
        keep = [line for line in keep if not line.startswith("options")]
        keep.append("options ndots:0")
    elif not servers:
        servers = list(FALLBACK_RESOLVERS)
    return "".join(f"nameserver {s}\n" for s in servers) + "".join(f"{k}\n" for k in keep)


def hosts(own: list[tuple[str, str]], links: list[tuple[str, list[str]]]) -> str:
    """Docker's layout: localhost lines, the container's own names, then its links."""
    lines = [HOSTS_HEADER]
    lines += [f"{ip}\t{names}\n" for ip, names in own]
    lines += [f"{ip}\t{' '.join(names)}\n" for ip, names in links]
    return "".join(lines)
