"""Pure logic: IPAM arithmetic, the DNS wire format, rule rendering, port and file formats."""

from __future__ import annotations

import ipaddress

import pytest

from native_runtime.network import dnswire, files, ipam, iptables, nsdoor, ports
from native_runtime.network.errors import BadParameter, Conflict
from native_runtime.network.model import Naming, PortRequest, UserDns


def test_pick_subnet_skips_taken_and_reserved() -> None:
    taken = [ipaddress.IPv4Network("10.89.0.0/24"), ipaddress.IPv4Network("10.89.1.0/25")]
    assert str(ipam.pick_subnet(taken)) == "10.89.2.0/24"
    assert str(ipam.pick_subnet([], pools=("172.16.0.0/15",))) == "172.16.0.0/24"
    assert str(ipam.pick_subnet([], pools=("172.17.0.0/16", "172.18.0.0/16"))) == "172.18.0.0/24"
    everything = [ipaddress.IPv4Network("10.0.0.0/8")]
    with pytest.raises(Conflict):
        ipam.pick_subnet(everything)
    assert str(ipam.pick_subnet(taken, prefix=22)) == "10.89.4.0/22"


def test_allocate_lowest_free_and_requested() -> None:
    assert ipam.allocate("10.1.0.0/24", "10.1.0.1", ["10.1.0.2"]) == "10.1.0.3"
    assert ipam.allocate("10.1.0.0/24", "10.1.0.1", [], "10.1.0.9") == "10.1.0.9"
    with pytest.raises(BadParameter):
        ipam.allocate("10.1.0.0/24", "10.1.0.1", [], "10.2.0.9")
    with pytest.raises(Conflict):
        ipam.allocate("10.1.0.0/24", "10.1.0.1", ["10.1.0.9"], "10.1.0.9")
    with pytest.raises(Conflict):
        ipam.allocate("10.1.0.0/30", "10.1.0.1", ["10.1.0.2"])
    assert ipam.mac_for("10.89.1.2") == "02:42:0a:59:01:02"


def test_allocate_ipv6_from_the_range_and_refuse_the_other_family() -> None:
    net, gateway = "fd00:1::/64", "fd00:1::ffff"
    assert ipam.allocate(net, gateway, [], "", "fd00:1::/96", version=6) == "fd00:1::1"
    assert ipam.allocate(net, gateway, [], "fd00:1::f00d", version=6) == "fd00:1::f00d"
    with pytest.raises(BadParameter):
        ipam.allocate(net, gateway, [], "10.1.0.9", version=6)
    with pytest.raises(BadParameter, match="not an IPv4 subnet"):
        ipam.parse_subnet(net)
    with pytest.raises(BadParameter, match="not within subnet"):
        ipam.check_pool(net, "", "fd00:2::/96", {}, version=6)
    for odd in ("::/0", "::/64", "fe80::/64", "ff02::/16", "::1/128"):
        with pytest.raises(BadParameter):
            ipam.parse_subnet6(odd)


def test_dns_answer_round_trip() -> None:
    query = dnswire.build_query(7, "Web.")
    q = dnswire.parse_query(query)
    assert (q.txid, q.name, q.qtype) == (7, "web", dnswire.TYPE_A)
    assert dnswire.parse_answer(dnswire.answer(query, q, ["10.0.0.5", "10.0.1.5"])) == (
        0,
        ["10.0.0.5", "10.0.1.5"],
    )
    assert dnswire.parse_answer(dnswire.error(query, q, dnswire.RCODE_SERVFAIL)) == (2, [])
    aaaa = dnswire.build_query(8, "web", dnswire.TYPE_AAAA)
    assert dnswire.parse_answer(dnswire.answer(aaaa, dnswire.parse_query(aaaa), ["10.0.0.5"])) == (
        0,
        [],
    )
    both = ["10.0.0.5", "fd00:1::5"]
    aaaa_q = dnswire.parse_query(aaaa)
    assert dnswire.parse_answer(dnswire.answer(aaaa, aaaa_q, both)) == (0, ["fd00:1::5"])
    assert dnswire.parse_answer(dnswire.answer(query, q, both)) == (0, ["10.0.0.5"])
    with pytest.raises(ValueError):
        dnswire.parse_query(b"\x00\x01")


def test_rules_render_isolation_before_accepts() -> None:
    chains = iptables.Chains.of(Naming())
    bridges = [
        iptables.BridgeRule("dy-a", "10.89.1.0/24", False),
        iptables.BridgeRule("dy-b", "10.89.2.0/24", True),
    ]
    dnats = [iptables.DnatRule("tcp", "0.0.0.0", 8000, "10.89.1.2", 8080, "dy-a")]
    text = iptables.render_filter(chains, bridges, dnats)
    lines = text.splitlines()
    first_accept = next(i for i, x in enumerate(lines) if x.endswith("-j ACCEPT"))
    assert all(i < first_accept for i, x in enumerate(lines) if "-j DOCKYARD-ISOLATION" in x)
    assert "-A DOCKYARD-ISOLATION -o dy-b -j DROP" in lines
    nat = iptables.render_nat(chains, bridges, dnats)
    assert "-A DOCKYARD-NAT -s 10.89.1.0/24 ! -o dy-a -j MASQUERADE" in nat
    assert "10.89.2.0/24" not in nat  # internal: no masquerade
    assert "--dport 8000 -j DNAT --to-destination 10.89.1.2:8080" in nat
    assert "DOCKER" not in text.replace("DOCKYARD", "")


def test_port_requests_from_docker_fields() -> None:
    reqs = ports.requests_from(
        {
            "8080/tcp": [{"HostIp": "", "HostPort": "8000"}],
            "20000/udp": [{"HostPort": "10000-10002"}],
        },
        publish_all=True,
        exposed={"8080/tcp": {}, "9000/tcp": {}},
    )
    assert reqs == (
        PortRequest(8080, "tcp", "0.0.0.0", 8000, 8000),
        PortRequest(20000, "udp", "0.0.0.0", 10000, 10002),
        PortRequest(9000, "tcp"),
    )
    with pytest.raises(BadParameter):
        ports.requests_from({"80/sctp": [{}]})
    with pytest.raises(BadParameter):
        ports.requests_from({"80/tcp": [{"HostPort": "70000"}]})


def test_resolv_conf_variants() -> None:
    host = "nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp\noptions edns0\n"
    # dockerd's layout on a user network: search, 127.0.0.11, the options plus ndots:0
    assert files.resolv_conf(host, "127.0.0.11") == (
        "search corp\nnameserver 127.0.0.11\noptions edns0 ndots:0\n"
    )
    assert files.resolv_conf("nameserver 10.0.0.2\n", "127.0.0.11") == (
        "nameserver 127.0.0.11\noptions ndots:0\n"
    )
    user = UserDns(("192.0.2.1",), ("a.test",), ("ndots:3",))
    assert files.resolv_conf(host, "127.0.0.11", user) == (
        "search a.test\nnameserver 127.0.0.11\noptions ndots:3\n"
    )
    assert files.resolv_conf(host, None) == "search corp\nnameserver 10.0.0.2\noptions edns0\n"
    assert files.resolv_conf("nameserver 127.0.0.53\n", None).startswith("nameserver 8.8.8.8")


def test_dns_redirect_rules_add_the_jump_once() -> None:
    text = nsdoor.render_redirect(40001, 40002, with_jump=True)
    assert "-p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:40001" in text
    assert "-p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:40002" in text
    assert "-A OUTPUT -d 127.0.0.11/32 -j DOCKYARD-DNS" in text
    assert "-A OUTPUT" not in nsdoor.render_redirect(40001, 40002, with_jump=False)


def test_hosts_layout() -> None:
    text = files.hosts([("10.0.0.2", "abc")], [("10.0.0.3", ["db", "123", "database"])])
    assert text.startswith("127.0.0.1\tlocalhost\n")
    assert text.endswith("10.0.0.2\tabc\n10.0.0.3\tdb 123 database\n")


def test_tagged_names_fit_the_kernel_limits() -> None:
    naming = Naming.tagged("ab12")
    assert len(naming.bridge_for("f" * 64)) <= 15
    assert len(naming.veth_for("c" * 64, "n" * 64)) <= 15
    assert naming.owns_link(naming.default_bridge)
    assert not Naming().owns_link(naming.bridge_for("f" * 64))
