"""Kernel plumbing through netlink (pyroute2): namespaces, bridges, veth pairs, routes."""

# Every function here blocks (pyroute2's sync API runs its own event loop), so the manager
# calls them from a worker thread, never on the daemon's loop.
#
# To work inside a sandbox the calling thread itself enters the namespace (setns affects
# only that thread) just long enough to open a netlink socket, which stays bound to that
# namespace afterwards. pyroute2's own `IPRoute(netns=...)` forks a helper process for
# this, which costs tens of milliseconds per call.

from __future__ import annotations

import contextlib
import ctypes
import errno
import ipaddress
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from socket import AF_INET6

from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

from native_runtime.network.errors import NetworkSetupError

IP_FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MS_REC = 16384
MS_SHARED = 1 << 20
MNT_DETACH = 2
IFA_F_NODAD = 0x02  # linux/if_addr.h
LOOPBACK = 1  # lo's index in every new network namespace
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


@contextlib.contextmanager
def inside(path: str | None) -> Iterator[None]:
    """Run the block in namespace `path` (None: a brand-new one), then come back."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        if path is None:
            _check(_libc.unshare(CLONE_NEWNET), "unshare")
        else:
            target = os.open(path, os.O_RDONLY)
            try:
                _check(_libc.setns(target, CLONE_NEWNET), f"setns {path}")
            finally:
                os.close(target)
        try:
            yield
        finally:
            # Must not fail silently: this worker thread would stay in the sandbox.
            _check(_libc.setns(own, CLONE_NEWNET), "setns back to the host")
    finally:
        os.close(own)


_host_lock = threading.Lock()
_host_socket: list[IPRoute] = []  # at most one, opened at first use


@contextlib.contextmanager
def _host() -> Iterator[IPRoute]:
    """The host's netlink socket, opened once per process: opening one costs as much CPU
    as a request. Workers take turns; none ever calls this from inside a sandbox, since
    `inside` always takes its thread back to the host first."""
    with _host_lock:
        if not _host_socket:
            _host_socket.append(IPRoute())
        try:
            yield _host_socket[0]
        except OSError:
            # The socket itself failed (not the kernel refusing a request): a new one next time.
            _host_socket.pop().close()
            raise


def _iproute_in(path: str) -> IPRoute:
    with inside(path):
        return IPRoute()


def _make_shared_dir(folder: Path) -> None:
    """Bind the namespace folder onto itself as a shared mount, as `ip netns add` does,
    so the namespace mounts inside it propagate to mount namespaces made later."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = str(folder).encode()
    if _libc.mount(b"", raw, b"none", MS_SHARED | MS_REC, None) == 0:
        return
    _check(_libc.mount(raw, raw, b"none", MS_BIND | MS_REC, None), f"bind {folder}")
    _check(_libc.mount(b"", raw, b"none", MS_SHARED | MS_REC, None), f"share {folder}")


def release_shared_dir(folder: Path) -> None:
    """Undo `_make_shared_dir` once no namespace is left in the folder (daemon stop)."""
    if folder.is_dir() and not any(folder.iterdir()):
        _libc.umount2(str(folder).encode(), MNT_DETACH)  # fails harmlessly if not mounted


def enable_ip_forward() -> None:
    """Bridged containers reach the outside only if the host routes between interfaces."""
    if IP_FORWARD.read_text().strip() != "1":
        IP_FORWARD.write_text("1\n")


def _index(ipr: IPRoute, name: str) -> int | None:
    try:
        found = ipr.link("get", ifname=name)
    except NetlinkError as exc:
        if exc.code == errno.ENODEV:
            return None
        raise
    return int(found[0]["index"]) if found else None


def link_names() -> list[str]:
    with _host() as ipr:
        return [str(link.get_attr("IFLA_IFNAME")) for link in ipr.get_links()]


def host_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 route and address on the host except the default route: IPAM avoids them."""
    out: list[ipaddress.IPv4Network] = []
    with _host() as ipr:
        for route in ipr.get_routes(family=2, table=254):
            dst = route.get_attr("RTA_DST")
            if dst and route["dst_len"] > 0:
                out.append(ipaddress.IPv4Network(f"{dst}/{route['dst_len']}", strict=False))
        for addr in ipr.get_addr(family=2):
            ip = addr.get_attr("IFA_ADDRESS")
            if ip and not ip.startswith("127."):
                out.append(ipaddress.IPv4Network(f"{ip}/{addr['prefixlen']}", strict=False))
    return out


def ensure_bridge(name: str, gateway: str, prefixlen: int) -> None:
    """Create the bridge if missing, give it the gateway address and bring it up."""
    with _host() as ipr:
        idx = _index(ipr, name)
        if idx is None:
            ipr.link("add", ifname=name, kind="bridge")
            idx = _index(ipr, name)
            assert idx is not None
        if gateway:
            have = {a.get_attr("IFA_ADDRESS") for a in ipr.get_addr(index=idx, family=2)}
            if gateway not in have:
                ipr.addr("add", index=idx, address=gateway, prefixlen=prefixlen)
        ipr.link("set", index=idx, state="up")


def ensure_address6(netns_path: str | None, ifname: str, address: str, prefixlen: int) -> None:
    """Give `ifname` (on the host, or in the sandbox at `netns_path`) an IPv6 address.

    Without duplicate address detection, as dockerd's bridge driver sets its addresses:
    the address is usable at once instead of tentative for a second or more.
    """
    with IPRoute() if netns_path is None else _iproute_in(netns_path) as ipr:
        idx = _index(ipr, ifname)
        if idx is None:
            raise OSError(errno.ENODEV, f"link {ifname} is missing")
        have = {a.get_attr("IFA_ADDRESS") for a in ipr.get_addr(index=idx, family=AF_INET6)}
        if address in have:
            return
        try:
            ipr.addr(
                "add", index=idx, address=address, prefixlen=prefixlen, flags=IFA_F_NODAD,
                family=AF_INET6,
            )  # fmt: skip
        except NetlinkError as exc:
            # EACCES: IPv6 is off for that interface (net.ipv6.conf.*.disable_ipv6=1).
            raise NetworkSetupError(
                f"cannot give {ifname} the IPv6 address {address}: {os.strerror(exc.code)}"
                + (" (IPv6 is disabled there)" if exc.code == errno.EACCES else "")
            ) from exc


def delete_link(name: str) -> None:
    """Delete a link if it exists (deleting one end of a veth deletes both)."""
    # By name in one request: the kernel looks it up, no round trip for the index first.
    with _host() as ipr:
        try:
            ipr.link("del", ifname=name)
        except NetlinkError as exc:
            if exc.code != errno.ENODEV:
                raise


def create_netns(path: str, *, loopback: bool = True) -> None:
    """A named namespace bind-mounted at `path` (what `ip netns add` does), loopback up
    unless `loopback` is False: then `add_veth` brings it up with the sandbox's first veth."""
    _make_shared_dir(Path(path).parent)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
    try:
        with inside(None):
            _check(
                _libc.mount(b"/proc/thread-self/ns/net", path.encode(), b"none", MS_BIND, None),
                f"bind {path}",
            )
            if loopback:
                with IPRoute() as ipr:
                    ipr.link("set", index=LOOPBACK, state="up")
    except BaseException:
        remove_netns(path)
        raise


def remove_netns(path: str) -> None:
    if not os.path.exists(path):
        return
    _libc.umount2(path.encode(), MNT_DETACH)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def add_veth(
    veth: str,
    bridge: str,
    netns_path: str,
    ifname: str,
    address: str,
    prefixlen: int,
    mac: str,
    *,
    loopback: bool = False,
) -> None:
    """A veth pair: `veth` on the host enslaved to `bridge`, `ifname` inside the sandbox
    (and the sandbox's loopback up with it when `loopback`)."""
    fd = os.open(netns_path, os.O_RDONLY)
    try:
        with _host() as ipr:
            br = _index(ipr, bridge)
            if br is None:
                raise OSError(errno.ENODEV, f"bridge {bridge} is missing")
            ipr.link(
                "add",
                ifname=veth,
                kind="veth",
                master=br,
                state="up",
                peer={"ifname": ifname, "net_ns_fd": fd, "address": mac},
            )
    finally:
        os.close(fd)
    try:
        with _iproute_in(netns_path) as ipr:
            idx = _index(ipr, ifname)
            assert idx is not None
            ipr.addr("add", index=idx, address=address, prefixlen=prefixlen)
            ipr.link("set", index=idx, state="up")
            if loopback:
                ipr.link("set", index=LOOPBACK, state="up")
    except BaseException:
        delete_link(veth)
        raise


def set_default_route(netns_path: str, gateway: str | None) -> None:
    """Replace the sandbox's default route (or drop it when `gateway` is None)."""
    with _iproute_in(netns_path) as ipr:
        for route in ipr.get_routes(family=2, table=254):
            if route["dst_len"] == 0:
                ipr.route("del", dst="0.0.0.0/0", gateway=route.get_attr("RTA_GATEWAY"))
        if gateway:
            ipr.route("add", dst="0.0.0.0/0", gateway=gateway)


def set_default_route6(netns_path: str, gateway: str) -> None:
    """The sandbox's IPv6 default route, through an IPv6 network's gateway."""
    with _iproute_in(netns_path) as ipr:
        ipr.route("replace", family=AF_INET6, dst="::", dst_len=0, gateway=gateway)


def sandbox_ifnames(netns_path: str) -> list[str]:
    with _iproute_in(netns_path) as ipr:
        return [str(link.get_attr("IFLA_IFNAME")) for link in ipr.get_links()]
