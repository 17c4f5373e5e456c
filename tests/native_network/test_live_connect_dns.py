"""resolv.conf and /etc/hosts follow a live `network connect`/`disconnect`, on both engines."""

from __future__ import annotations

# Both engines point resolv.conf at 127.0.0.11, inside each container's own namespace.
from native_runtime.network.nsdoor import EMBEDDED_DNS
from tests.native_cli import conftest as cli_fixtures
from tests.native_cli.conftest import TEST_IMAGE, Cli

# The docker CLI against dockerd and against a throwaway native daemon, one body each.
cli = cli_fixtures.cli
native_cli_daemon = cli_fixtures.native_cli_daemon

SLEEPER = ["sleep", "300"]
USER_DNS = "192.0.2.53"  # TEST-NET-1: never answers, only its place in resolv.conf matters


def _ip(cli: Cli, container: str, network: str) -> str:
    fmt = f'{{{{(index .NetworkSettings.Networks "{network}").IPAddress}}}}'
    return cli.out("inspect", "-f", fmt, container)


def _nameservers(cli: Cli, container: str) -> list[str]:
    text = cli.out("exec", container, "cat", "/etc/resolv.conf")
    return [line.split()[1] for line in text.splitlines() if line.startswith("nameserver ")]


def _hosts_lines(cli: Cli, container: str) -> list[list[str]]:
    return [line.split() for line in cli.out("exec", container, "cat", "/etc/hosts").splitlines()]


def _resolves(cli: Cli, container: str, name: str) -> bool:
    return cli.ok(container, "ping", "-c1", "-W2", name)


def test_a_bridge_container_resolves_names_of_a_network_it_joins_live(cli: Cli) -> None:
    net = cli.network("live")
    cli.out("network", "create", net)
    peer = cli.name("peer")
    cli.out("run", "-d", "--name", peer, "--network", net, TEST_IMAGE, *SLEEPER)
    me = cli.name("me")
    cli.out("run", "-d", "--name", me, TEST_IMAGE, *SLEEPER)
    hostname = cli.out("exec", me, "hostname")
    assert EMBEDDED_DNS not in _nameservers(cli, me)

    cli.out("network", "connect", net, me)
    assert _nameservers(cli, me) == [EMBEDDED_DNS]
    peer_ip = _ip(cli, peer, net)
    looked_up = cli.run("exec", me, "nslookup", peer, check=False)
    assert looked_up.returncode == 0 and peer_ip in looked_up.stdout, looked_up.stdout
    assert _resolves(cli, me, peer)
    my_new_ip = _ip(cli, me, net)
    assert [my_new_ip, hostname] in _hosts_lines(cli, me)

    cli.out("network", "disconnect", net, me)
    assert not _resolves(cli, me, peer)
    assert cli.run("exec", me, "nslookup", peer, check=False).returncode != 0
    assert not any(line[:1] == [my_new_ip] for line in _hosts_lines(cli, me))
    if cli.engine == "native":
        # dockerd keeps 127.0.0.11, which then knows none of the names; ours goes back to
        # the resolvers the container started with.
        assert EMBEDDED_DNS not in _nameservers(cli, me)


def test_user_dns_is_kept_across_connect_and_disconnect(cli: Cli) -> None:
    net = cli.network("dns")
    cli.out("network", "create", net)
    me = cli.name("me")
    cli.out("run", "-d", "--name", me, "--dns", USER_DNS, TEST_IMAGE, *SLEEPER)
    assert _nameservers(cli, me) == [USER_DNS]
    cli.out("network", "connect", net, me)
    # On a user network the embedded DNS answers and forwards the rest to --dns.
    assert _nameservers(cli, me) == [EMBEDDED_DNS]
    cli.out("network", "disconnect", net, me)
    if cli.engine == "native":
        assert _nameservers(cli, me) == [USER_DNS]


def test_a_container_started_on_a_user_network_with_dns_points_at_it(cli: Cli) -> None:
    net = cli.network("start")
    cli.out("network", "create", net)
    me = cli.name("me")
    cli.out("run", "-d", "--name", me, "--network", net, "--dns", USER_DNS, TEST_IMAGE, *SLEEPER)
    assert _nameservers(cli, me) == [EMBEDDED_DNS]
