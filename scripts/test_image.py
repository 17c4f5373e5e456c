"""Imports dockyard-test/busybox:latest from Debian's busybox-static into an engine that lacks it.

There is no Docker Hub here: the image is a rootfs made of the static busybox with a link
for every applet (a bare busybox has no `true`, `sh` or `ls` on PATH), a passwd and a group.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile

import docker

IMAGE = "dockyard-test/busybox:latest"
BUSYBOX = "/bin/busybox"


def rootfs() -> bytes:
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder, mode in (("bin", 0o755), ("etc", 0o755), ("root", 0o700), ("tmp", 0o1777)):
            entry = tarfile.TarInfo(folder)
            entry.type, entry.mode = tarfile.DIRTYPE, mode
            tar.addfile(entry)
        tar.add(BUSYBOX, arcname="bin/busybox")
        for applet in applets.stdout.split():
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(link)
        files = {
            "etc/passwd": (
                b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
            ),
            "etc/group": b"root:x:0:\nnogroup:x:65534:\n",
        }
        for name, data in files.items():
            entry = tarfile.TarInfo(name)
            entry.size, entry.mode = len(data), 0o644
            tar.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", help="engine URL (default: the Docker socket)")
    args = parser.parse_args()
    client = docker.APIClient(base_url=args.host or "unix:///var/run/docker.sock", version="1.41")
    if client.images(name=IMAGE):
        return 0
    repository, tag = IMAGE.rsplit(":", 1)
    client.import_image_from_data(
        rootfs(), repository=repository, tag=tag, changes=['CMD ["/bin/sh"]', "ENV PATH=/bin"]
    )
    print(f"built {IMAGE} on {args.host or 'the default engine'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
