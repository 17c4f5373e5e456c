"""The lecture's networking command lines, run by the docker CLI on dockerd and on native."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import socket
import subprocess
import sys
import time

from tests.native.conftest import wait_for
from tests.native_cli.conftest import (
    TEST_IMAGE,
    Cli,
    fetch_when_ready,
    free_port,
    httpd,
    port_is_free,
)
from tests.native_network.nstools import iptables_lines

SLEEPER = ["sleep", "300"]


def _inspect(cli: Cli, ref: str) -> dict[str, object]:
    doc: dict[str, object] = json.loads(cli.out("inspect", ref))[0]
    return doc


def _ip(cli: Cli, container: str, network: str) -> str:
    return cli.out(
        "inspect", "-f", f'{{{{(index .NetworkSettings.Networks "{network}").IPAddress}}}}',
        container,
    )  # fmt: skip


def test_network_ls_lists_the_predefined_networks(cli: Cli) -> None:
    listed = cli.out("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}").splitlines()
    assert {"bridge bridge local", "host host local", "none null local"} <= set(listed)


def test_network_inspect_bridge(cli: Cli) -> None:
    doc = json.loads(cli.out("network", "inspect", "bridge"))[0]
    assert doc["Name"] == "bridge" and doc["Driver"] == "bridge" and doc["Scope"] == "local"
    config = doc["IPAM"]["Config"][0]
    subnet = ipaddress.ip_network(config["Subnet"])
    assert ipaddress.ip_address(config["Gateway"]) in subnet
    assert doc["Options"]["com.docker.network.bridge.default_bridge"] == "true"
    if cli.engine == "native":
        # Never Docker's own default subnet: both engines share this host.
        assert not subnet.overlaps(ipaddress.ip_network("172.17.0.0/16"))


def test_net_host_shares_the_host_namespace(cli: Cli) -> None:
    out = cli.out("run", "--rm", "--net", "host", TEST_IMAGE, "readlink", "/proc/self/ns/net")
    assert out == os.readlink("/proc/self/ns/net")


def test_net_none_has_only_loopback(cli: Cli) -> None:
    out = cli.out("run", "--rm", "--net", "none", TEST_IMAGE, "ls", "/sys/class/net")
    assert out.split() == ["lo"]


def test_default_bridge_gives_an_address_the_host_reaches(cli: Cli) -> None:
    web = cli.name("web")
    cli.out("run", "-d", "--name", web, TEST_IMAGE, *httpd("on-bridge"))
    doc = _inspect(cli, web)
    settings = doc["NetworkSettings"]
    assert isinstance(settings, dict)
    ip = settings["IPAddress"]
    bridge = json.loads(cli.out("network", "inspect", "bridge"))[0]
    assert ipaddress.ip_address(ip) in ipaddress.ip_network(bridge["IPAM"]["Config"][0]["Subnet"])
    assert settings["Networks"]["bridge"]["IPAddress"] == ip
    assert settings["Gateway"] == bridge["IPAM"]["Config"][0]["Gateway"]
    assert web in json.dumps(bridge["Containers"]) or doc["Id"] in bridge["Containers"]
    fetch_when_ready(f"http://{ip}:8080/index.html", "on-bridge")
    # The default route goes through the bridge's gateway, NAT to the outside beyond it.
    route = cli.out("exec", web, "ip", "route", "show", "default")
    assert settings["Gateway"] in route
    subnet = bridge["IPAM"]["Config"][0]["Subnet"]
    nat = iptables_lines("-t", "nat", "-S")
    assert any(f"-s {subnet}" in line and "MASQUERADE" in line for line in nat), nat


def test_link_database_as_db(cli: Cli) -> None:
    database = cli.name("database")
    cli.out("run", "-d", "--name", database, TEST_IMAGE, *SLEEPER)
    out = cli.run(
        "run", "--rm", "--link", f"{database}:db", TEST_IMAGE,
        "sh", "-c", "grep -w db /etc/hosts && ping -c 1 -W 2 db",
    )  # fmt: skip
    assert _ip(cli, database, "bridge") in out.stdout
    assert "1 packets received" in out.stdout


def _serve_and_publish(cli: Cli, host_port: int, text: str) -> str:
    web = cli.name("web")
    cli.out("run", "-d", "--name", web, "-p", f"{host_port}:8080", TEST_IMAGE, *httpd(text))
    return web


def test_publish_tcp_port_reachable_from_host_loopback(cli: Cli) -> None:
    port = free_port()
    web = _serve_and_publish(cli, port, "published")
    assert "published" in fetch_when_ready(f"http://127.0.0.1:{port}/index.html", "published")
    assert f"0.0.0.0:{port}" in cli.out("port", web, "8080/tcp")
    assert f"0.0.0.0:{port}->8080/tcp" in cli.out("ps", "--filter", f"name={web}", "--format",
                                                   "{{.Ports}}")  # fmt: skip
    ports = _inspect(cli, web)["NetworkSettings"]
    assert isinstance(ports, dict)
    bindings = ports["Ports"]["8080/tcp"]
    assert {"HostIp": "0.0.0.0", "HostPort": str(port)} in bindings
    cli.out("rm", "-f", web)
    # The port is free again once the container is gone.
    wait_for(lambda: port_is_free(port), what=f"port {port} to be released")


def test_publish_on_a_host_address_only(cli: Cli) -> None:
    port = free_port()
    web = cli.name("web")
    cli.out("run", "-d", "--name", web, "-p", f"127.0.0.1:{port}:8080", "--expose", "9090",
            TEST_IMAGE, *httpd("loopback-bound"))  # fmt: skip
    assert cli.out("port", web, "8080/tcp") == f"127.0.0.1:{port}"
    # An exposed port nothing publishes shows without a binding, in ps and in inspect.
    listed = cli.out("ps", "--filter", f"name={web}", "--format", "{{.Ports}}")
    assert listed == f"9090/tcp, 127.0.0.1:{port}->8080/tcp"
    settings = _inspect(cli, web)["NetworkSettings"]
    assert isinstance(settings, dict) and settings["Ports"]["9090/tcp"] is None
    fetch_when_ready(f"http://127.0.0.1:{port}/index.html", "loopback-bound")


def test_publish_lecture_port_8000(cli: Cli) -> None:
    # The lecture's `-p 8000:8080`; another free port only if 8000 is taken on this host.
    port = 8000 if port_is_free(8000) else free_port()
    _serve_and_publish(cli, port, "lecture")
    fetch_when_ready(f"http://127.0.0.1:{port}/index.html", "lecture")


def test_publish_all_with_expose(cli: Cli) -> None:
    web = cli.name("web")
    cli.out("run", "-d", "--name", web, "-P", "--expose", "8080", TEST_IMAGE, *httpd("any-port"))
    mapped = cli.out("port", web, "8080/tcp").splitlines()[0]
    port = int(mapped.rsplit(":", 1)[1])
    fetch_when_ready(f"http://127.0.0.1:{port}/index.html", "any-port")


# busybox's nc has no -u here, so the listener is Python run inside the container's
# network namespace: the datagram still travels the engine's -p path into that namespace.
UDP_ECHO = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 20000))
s.settimeout(30)
print("ready", flush=True)
data, peer = s.recvfrom(4096)
s.sendto(b"ack:" + data, peer)
print(data.decode(), flush=True)
"""


def test_publish_udp_port(cli: Cli) -> None:
    port = free_port(socket.SOCK_DGRAM)
    listener = cli.name("udp")
    cli.out("run", "-d", "--name", listener, "-p", f"{port}:20000/udp", TEST_IMAGE, *SLEEPER)
    pid = cli.out("inspect", "-f", "{{.State.Pid}}", listener)
    server = subprocess.Popen(
        ["nsenter", f"--net=/proc/{pid}/ns/net", sys.executable, "-c", UDP_ECHO],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        payload = f"datagram-{cli.prefix}".encode()
        replies: list[bytes] = []

        def answered() -> bool:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
                sender.settimeout(0.5)
                sender.sendto(payload, ("127.0.0.1", port))
                try:
                    replies.append(sender.recv(4096))
                except TimeoutError:
                    return False
            return True

        wait_for(answered, timeout=15, what="an answer through the published UDP port")
        assert replies == [b"ack:" + payload]
        out, _ = server.communicate(timeout=10)
        assert out.strip() == payload.decode()
    finally:
        server.kill()
        server.wait()


def _ping(cli: Cli, source: str, target: str) -> bool:
    return cli.ok(source, "ping", "-c", "1", "-W", "1", target)


def test_user_networks_reachability_and_isolation(cli: Cli) -> None:
    mynet, mynet2 = cli.network("mynet"), cli.network("mynet2")
    cli.out("network", "create", "--driver", "bridge", mynet)
    cli.out("network", "create", "--driver", "bridge", mynet2)
    c1, c2, c3 = cli.name("c1"), cli.name("c2"), cli.name("c3")
    for name, net in ((c1, mynet), (c2, mynet), (c3, mynet2)):
        cli.out("run", "-d", "--name", name, "--net", net, TEST_IMAGE, *SLEEPER)
    ip1, ip2, ip3 = _ip(cli, c1, mynet), _ip(cli, c2, mynet), _ip(cli, c3, mynet2)
    # Same network: by name (the embedded DNS) and by address, both ways.
    assert _ping(cli, c1, c2) and _ping(cli, c2, c1) and _ping(cli, c1, ip2)
    # Different networks: no name, and no route through the host either.
    assert not _ping(cli, c1, c3) and not _ping(cli, c1, ip3)
    assert not _ping(cli, c3, c1) and not _ping(cli, c3, ip1)
    cli.out("network", "connect", mynet2, c2)
    ip2b = _ip(cli, c2, mynet2)
    assert _ping(cli, c2, c3) and _ping(cli, c2, ip3) and _ping(cli, c3, c2)
    assert _ping(cli, c3, ip2b) and _ping(cli, c2, c1)
    # Joining c2 to mynet2 opens nothing between c1 and c3.
    assert not _ping(cli, c1, ip3) and not _ping(cli, c3, ip1) and not _ping(cli, c3, c1)
    settings = _inspect(cli, c2)["NetworkSettings"]
    assert isinstance(settings, dict)
    assert set(settings["Networks"]) == {mynet, mynet2}
    cli.out("network", "disconnect", mynet2, c2)
    assert not _ping(cli, c3, ip2b)
    assert cli.out("exec", c2, "ls", "/sys/class/net").split() == ["eth0", "lo"]


def _unused_subnet() -> ipaddress.IPv4Network:
    """A /24 no route on the host uses (other test runs may hold some of them)."""
    routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True, check=True)
    used = [ipaddress.ip_network(w.split()[0], strict=False) for w in routes.stdout.splitlines()
            if w.split()[0][0].isdigit()]  # fmt: skip
    for _ in range(100):
        candidate = ipaddress.IPv4Network(f"10.213.{secrets.randbelow(256)}.0/24")
        if not any(candidate.overlaps(u) for u in used):
            return candidate
    raise AssertionError("no free 10.213.x.0/24 on this host")


def test_network_alias_and_fixed_ip(cli: Cli) -> None:
    net = cli.network("fixed")
    subnet = _unused_subnet()
    gateway, fixed = str(subnet[1]), str(subnet[50])
    cli.out("network", "create", "--subnet", str(subnet), "--gateway", gateway, net)
    server, client = cli.name("server"), cli.name("client")
    cli.out(
        "run", "-d", "--name", server, "--net", net, "--ip", fixed,
        "--network-alias", "webalias", TEST_IMAGE, *SLEEPER,
    )  # fmt: skip
    assert _ip(cli, server, net) == fixed
    cli.out("run", "-d", "--name", client, "--net", net, TEST_IMAGE, *SLEEPER)
    resolved = cli.out("exec", client, "nslookup", "webalias")
    assert fixed in resolved
    assert _ping(cli, client, "webalias")
    server_doc = _inspect(cli, server)
    settings = server_doc["NetworkSettings"]
    assert isinstance(settings, dict)
    assert settings["Networks"][net]["Aliases"] == ["webalias", str(server_doc["Id"])[:12]]
    doc = json.loads(cli.out("network", "inspect", net))[0]
    assert doc["IPAM"]["Config"][0]["Subnet"] == str(subnet)
    assert len(doc["Containers"]) == 2


def test_net_container_shares_address_and_loopback(cli: Cli) -> None:
    cont1 = cli.name("cont1")
    cli.out(
        "run", "-d", "--name", cont1, "-h", "cont1host", TEST_IMAGE,
        *httpd("loopback-only", "127.0.0.1:8080"),
    )  # fmt: skip
    show = ["ip", "-o", "-4", "addr", "show", "dev", "eth0"]
    own = cli.out("exec", cont1, *show).split()[3]
    fetch = "for i in $(seq 100); do wget -qO- http://127.0.0.1:8080/index.html && exit 0; " \
            "sleep 0.1; done; exit 1"  # fmt: skip
    out = cli.out(
        "run", "--rm", f"--net=container:{cont1}", TEST_IMAGE,
        "sh", "-c", f"hostname; {' '.join(show)}; {fetch}",
    )  # fmt: skip
    assert own in out and "loopback-only" in out
    assert out.splitlines()[0] == "cont1host"
    assert own.split("/")[0] == _ip(cli, cont1, "bridge")


def test_stats_network_counters_come_from_the_container(cli: Cli) -> None:
    busy = cli.name("busy")
    cli.out("run", "-d", "--name", busy, TEST_IMAGE, *SLEEPER)
    gateway = cli.out("inspect", "-f", "{{.NetworkSettings.Gateway}}", busy)
    cli.out("exec", busy, "ping", "-c", "3", "-i", "0.2", "-W", "1", gateway)
    net_io = cli.out("stats", "--no-stream", "--format", "{{.NetIO}}", busy)
    received, _, sent = net_io.partition(" / ")
    assert received not in ("0B", "") and sent not in ("0B", ""), net_io


def test_stop_releases_the_address_and_start_gets_one(cli: Cli) -> None:
    box = cli.name("box")
    since = str(int(time.time()) - 1)
    cli.out("run", "-d", "--name", box, TEST_IMAGE, *SLEEPER)
    assert _ip(cli, box, "bridge")
    cli.out("stop", "-t", "1", box)
    assert _ip(cli, box, "bridge") == ""
    box_id = cli.out("inspect", "-f", "{{.Id}}", box)
    events = cli.out(
        "events", "--since", since, "--until", str(int(time.time()) + 1),
        "--filter", "type=network",
        "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}",
    ).splitlines()  # fmt: skip
    mine = [line for line in events if line.endswith(box_id)]
    assert mine == [f"connect bridge {box_id}", f"disconnect bridge {box_id}"]
    bridge = json.loads(cli.out("network", "inspect", "bridge"))[0]
    assert _inspect(cli, box)["Id"] not in bridge["Containers"]
    cli.out("start", box)
    assert _ip(cli, box, "bridge")


def test_taken_host_port_fails_clearly(cli: Cli) -> None:
    with socket.socket() as squatter:
        squatter.bind(("0.0.0.0", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        web = cli.name("web")
        failed = cli.run("run", "-d", "--name", web, "-p", f"{port}:8080", TEST_IMAGE, *SLEEPER,
                         check=False)  # fmt: skip
        assert failed.returncode != 0
        # dockerd says "address already in use" for a foreign listener, native says
        # "port is already allocated"; both name the endpoint and the port.
        assert "driver failed programming external connectivity" in failed.stderr
        assert f"{port}" in failed.stderr and "already" in failed.stderr, failed.stderr
    assert _ip(cli, web, "bridge") == ""
    assert cli.out("inspect", "-f", "{{.State.Running}}", web) == "false"


def test_the_first_instruction_finds_its_network_whole(cli: Cli) -> None:
    """The native engine wires veths, routes and the embedded DNS while runc creates the
    container; its process runs only after both, so its very first look finds them all."""
    net, name = cli.network("wired"), cli.name("first")
    cli.out("network", "create", net)
    script = f"ip -o -4 addr show eth0; ip route; nslookup {name}"
    out = cli.out("run", "--rm", "--name", name, "--net", net, TEST_IMAGE, "sh", "-c", script)
    address = out.split(" inet ", 1)[1].split("/", 1)[0]
    gateway = cli.out("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", net)
    assert f"default via {gateway} dev eth0" in out
    assert f"Name:\t{name}\nAddress: {address}" in out


def test_what_a_run_rm_held_is_free_once_it_answers(cli: Cli) -> None:
    """The native engine tears part of a removed container down after the answer; its
    address, published port and network are free the moment `docker run --rm` returns."""
    net, subnet = cli.network("brief"), _unused_subnet()
    cli.out("network", "create", "--subnet", str(subnet), net)
    address, port = str(subnet.network_address + 7), free_port()
    for _ in range(2):
        cli.out("run", "--rm", "--net", net, "--ip", address, "-p", f"{port}:80",
                TEST_IMAGE, "true")  # fmt: skip
    cli.out("network", "rm", net)
    assert net not in cli.out("network", "ls", "--format", "{{.Name}}").split()
