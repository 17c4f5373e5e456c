"""Fixed containers, images, volumes, networks and logs that the fake engine serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine_adapters.models import (
    COMPOSE_PROJECT_LABEL,
    COMPOSE_SERVICE_LABEL,
    Container,
    ContainerState,
    Health,
    Image,
    LogLine,
    Network,
    NetworkAttachment,
    NetworkMember,
    PortBinding,
    Subnet,
    Volume,
)

NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)


def cid(n: int) -> str:
    return f"{n:02d}" + "c0ffee" * 10 + "ab"


def _compose(project: str, service: str) -> dict[str, str]:
    return {COMPOSE_PROJECT_LABEL: project, COMPOSE_SERVICE_LABEL: service}


def _containers() -> list[Container]:
    up = NOW - timedelta(hours=3)
    shop_net = (NetworkAttachment("shop_default", "n2" * 32, "10.89.1.2", 24, "10.89.1.1"),)
    return [
        Container(
            cid(1),
            "shop-web-1",
            "shop-web:latest",
            "sha256:" + "a1" * 32,
            "nginx -g",
            ContainerState.RUNNING,
            "Up 3 hours (healthy)",
            up,
            Health.HEALTHY,
            started_at=up,
            ports=(PortBinding(80, "tcp", "0.0.0.0", 8080),),
            networks=shop_net,
            labels=_compose("shop", "web"),
        ),
        Container(
            cid(2),
            "shop-api-1",
            "shop-api:latest",
            "sha256:" + "a2" * 32,
            "python app.py",
            ContainerState.RUNNING,
            "Up 3 hours (unhealthy)",
            up,
            Health.UNHEALTHY,
            started_at=up,
            ports=(PortBinding(5000),),
            networks=shop_net,
            labels=_compose("shop", "api"),
        ),
        Container(
            cid(3),
            "shop-db-1",
            "postgres:16",
            "sha256:" + "a3" * 32,
            "postgres",
            ContainerState.RUNNING,
            "Up 3 hours",
            up,
            started_at=up,
            ports=(PortBinding(5432),),
            networks=shop_net,
            labels=_compose("shop", "db"),
        ),
        Container(
            cid(4),
            "batch-job",
            "dockyard-test/busybox:latest",
            "sha256:" + "b1" * 32,
            "/bin/sh -c false",
            ContainerState.EXITED,
            "Exited (1) 2 hours ago",
            NOW - timedelta(days=1),
            exit_code=1,
            started_at=NOW - timedelta(days=1),
            finished_at=NOW - timedelta(hours=2),
        ),
        Container(
            cid(5),
            "cache",
            "redis:7",
            "sha256:" + "b2" * 32,
            "redis-server",
            ContainerState.PAUSED,
            "Up 5 days (Paused)",
            NOW - timedelta(days=5),
            started_at=NOW - timedelta(days=5),
            ports=(PortBinding(6379, "tcp", "127.0.0.1", 6379),),
        ),
        Container(
            cid(6),
            "done-task",
            "dockyard-test/busybox:latest",
            "sha256:" + "b1" * 32,
            "echo hi",
            ContainerState.EXITED,
            "Exited (0) 3 days ago",
            NOW - timedelta(days=3),
            exit_code=0,
            finished_at=NOW - timedelta(days=3),
        ),
    ]


def _images() -> list[Image]:
    return [
        Image(
            "sha256:" + "a1" * 32,
            ("shop-web:latest",),
            (),
            187_000_000,
            NOW - timedelta(days=2),
            used_by=(cid(1),),
        ),
        Image(
            "sha256:" + "a2" * 32,
            ("shop-api:latest",),
            (),
            412_000_000,
            NOW - timedelta(days=2),
            used_by=(cid(2),),
        ),
        Image(
            "sha256:" + "a3" * 32,
            ("postgres:16",),
            (),
            432_500_000,
            NOW - timedelta(days=30),
            used_by=(cid(3),),
        ),
        Image(
            "sha256:" + "b1" * 32,
            ("dockyard-test/busybox:latest",),
            (),
            2_100_000,
            NOW - timedelta(days=90),
            used_by=(cid(4), cid(6)),
        ),
        Image(
            "sha256:" + "b2" * 32,
            ("redis:7",),
            (),
            117_000_000,
            NOW - timedelta(days=12),
            used_by=(cid(5),),
        ),
        Image("sha256:" + "c9" * 32, (), (), 55_000_000, NOW - timedelta(days=40)),
    ]


def _volumes() -> list[Volume]:
    return [
        Volume(
            "shop_pgdata",
            "local",
            "/var/lib/docker/volumes/shop_pgdata/_data",
            NOW - timedelta(days=2),
            labels={COMPOSE_PROJECT_LABEL: "shop"},
            size=48_000_000,
            used_by=(cid(3),),
        ),
        Volume(
            "scratch", "local", "/var/lib/docker/volumes/scratch/_data", NOW - timedelta(days=9)
        ),
    ]


def _networks() -> list[Network]:
    return [
        Network(
            "n1" * 32,
            "bridge",
            "bridge",
            subnets=(Subnet("172.17.0.0/16", "172.17.0.1"),),
            created=NOW - timedelta(days=100),
            containers=(NetworkMember(cid(5), "cache", "172.17.0.2"),),
        ),
        Network("n0" * 32, "host", "host", created=NOW - timedelta(days=100)),
        Network("n9" * 32, "none", "null", created=NOW - timedelta(days=100)),
        Network(
            "n2" * 32,
            "shop_default",
            "bridge",
            subnets=(Subnet("10.89.1.0/24", "10.89.1.1"),),
            created=NOW - timedelta(days=2),
            labels={COMPOSE_PROJECT_LABEL: "shop"},
            containers=tuple(
                NetworkMember(cid(i), n, f"10.89.1.{i + 1}")
                for i, n in ((1, "shop-web-1"), (2, "shop-api-1"), (3, "shop-db-1"))
            ),
        ),
    ]


def canned_logs(name: str, count: int = 40) -> list[LogLine]:
    lines = []
    for i in range(count):
        stream = "stderr" if i % 7 == 3 else "stdout"
        level = "ERROR" if i % 7 == 3 else "INFO"
        lines.append(
            LogLine(
                stream,
                f"{level} {name} request {i} handled path=/item/{i % 5}",
                NOW - timedelta(seconds=count - i),
            )
        )
    return lines
