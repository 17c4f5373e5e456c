"""The default seccomp policy, written from Docker's documented behaviour, as data.

Everything not allowed here fails with EPERM. The groups below say why a call is
allowed; the calls Docker's documentation lists as blocked (keyrings, kernel
modules, kexec, mount and namespaces, clock setting, swap, quotas, NUMA
placement, ptrace before kernel 4.8, bpf, perf, userfaultfd, obsolete calls) are
absent, and some come back when the container holds the capability that the
kernel checks for them anyway (`CAP_GATED`). Names this libseccomp does not know
are skipped by runc, so newer calls may be listed.
"""

from __future__ import annotations

from typing import Any

ARCHITECTURES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
EPERM = 1
ENOSYS = 38

FILES = (
    "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range",
    "creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
    "fallocate", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
    "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr",
    "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
    "ftruncate64", "getcwd", "getdents", "getdents64", "getxattr", "lchown", "lchown32",
    "lgetxattr", "link", "linkat", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek",
    "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "newfstatat",
    "open", "openat", "openat2", "pipe", "pipe2", "pread64", "preadv", "preadv2", "pwrite64",
    "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
    "removexattr", "rename", "renameat", "renameat2", "rmdir", "sendfile", "sendfile64",
    "setxattr", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
    "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate", "truncate64", "umask",
    "unlink", "unlinkat", "utime", "futimesat", "utimensat", "utimensat_time64", "utimes",
    "vmsplice", "write", "writev", "inotify_add_watch", "inotify_init", "inotify_init1",
    "inotify_rm_watch", "fanotify_mark", "ioctl", "io_cancel", "io_destroy", "io_getevents",
    "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit", "ioprio_get",
    "ioprio_set", "memfd_create", "landlock_add_rule", "landlock_create_ruleset",
    "landlock_restrict_self",
)  # fmt: skip

WAITING = (
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
    "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll",
    "ppoll_time64", "pselect6", "pselect6_time64", "select", "_newselect", "signalfd",
    "signalfd4", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
    "timerfd_settime64", "futex", "futex_time64", "futex_waitv", "nanosleep",
    "clock_nanosleep", "clock_nanosleep_time64", "pause", "sched_yield",
)  # fmt: skip

MEMORY = (
    "brk", "madvise", "membarrier", "mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
    "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap", "pkey_alloc",
    "pkey_free", "pkey_mprotect", "remap_file_pages",
)  # fmt: skip

PROCESSES = (
    "arch_prctl", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork",
    "vfork", "get_robust_list", "set_robust_list", "get_thread_area", "set_thread_area",
    "set_tid_address", "modify_ldt", "getcpu", "getegid", "getegid32", "geteuid", "geteuid32",
    "getgid", "getgid32", "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid",
    "getppid", "getpriority", "getresgid", "getresgid32", "getresuid", "getresuid32",
    "getrlimit", "ugetrlimit", "getrusage", "getsid", "gettid", "getuid", "getuid32", "prctl",
    "prlimit64", "rseq", "restart_syscall", "seccomp", "setfsgid", "setfsgid32", "setfsuid",
    "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setpgid", "setpriority",
    "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
    "setreuid", "setreuid32", "setrlimit", "setsid", "setuid", "setuid32", "uname", "wait4",
    "waitid", "waitpid", "sysinfo", "getrandom", "sched_get_priority_max", "sched_get_priority_min",
    "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
    "sched_setattr", "sched_setparam", "sched_setscheduler", "pidfd_open", "pidfd_send_signal",
    "process_mrelease",
)  # fmt: skip

SIGNALS = (
    "kill", "tkill", "tgkill", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
    "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sigaltstack", "signal", "sigpending",
    "sigprocmask", "sigreturn", "sigsuspend", "alarm",
)  # fmt: skip

# Reading clocks is harmless; setting them is not namespaced (CAP_GATED below).
# adjtimex with no mode bits only reads, and the kernel checks CAP_SYS_TIME for the rest.
TIME = (
    "adjtimex", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
    "gettimeofday", "time", "times", "getitimer", "setitimer", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
)  # fmt: skip

IPC = (
    "ipc", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop", "semtimedop",
    "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget", "mq_getsetattr", "mq_notify",
    "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
    "mq_timedsend_time64", "mq_unlink",
)  # fmt: skip

NETWORK = (
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
    "listen", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "sendmmsg", "sendmsg",
    "sendto", "setsockopt", "shutdown", "socket", "socketcall", "socketpair",
)  # fmt: skip

ALWAYS = FILES + WAITING + MEMORY + PROCESSES + SIGNALS + TIME + IPC + NETWORK

# Calls the kernel already reserves to a capability: allowed only when the
# container holds it, so an added capability works as it does under Docker.
CAP_GATED: dict[str, tuple[str, ...]] = {
    "CAP_SYS_ADMIN": (
        "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
        "lookup_dcookie", "mount", "mount_setattr", "move_mount", "name_to_handle_at",
        "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname",
        "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
    ),
    "CAP_SYS_BOOT": ("reboot",),
    "CAP_SYS_CHROOT": ("chroot",),
    "CAP_SYS_MODULE": ("delete_module", "init_module", "finit_module"),
    "CAP_SYS_PACCT": ("acct",),
    "CAP_SYS_PTRACE": (
        "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
        "ptrace",
    ),
    "CAP_SYS_RAWIO": ("iopl", "ioperm"),
    "CAP_SYS_TIME": (
        "settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime",
        "clock_adjtime64",
    ),
    "CAP_SYS_TTY_CONFIG": ("vhangup",),
    "CAP_SYS_NICE": ("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
    "CAP_SYSLOG": ("syslog",),
    "CAP_BPF": ("bpf",),
    "CAP_PERFMON": ("perf_event_open",),
    "CAP_DAC_READ_SEARCH": ("open_by_handle_at",),
}  # fmt: skip

# From 4.8 on, seccomp is checked again after a ptrace stop, so a tracer can no
# longer use ptrace to skip the filter: Docker then allows it without a capability.
PTRACE_SAFE_FROM = (4, 8)
PTRACE_CALLS = ("process_vm_readv", "process_vm_writev", "ptrace")

# personality(2): only the plain Linux domain, its 32-bit variant, UNAME26, and
# the 0xffffffff query; other personas switch off protections such as ASLR.
PERSONAS = (0x0, 0x0008, 0x20000, 0x20008, 0xFFFFFFFF)

# clone(2) without CAP_SYS_ADMIN: any flags but the new-namespace ones
# (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET).
CLONE_NAMESPACE_FLAGS = 0x7E020000


def _allow(names: list[str] | tuple[str, ...], **extra: Any) -> dict[str, Any]:
    return {"names": list(names), "action": "SCMP_ACT_ALLOW", **extra}


def default_profile(caps: list[str], kernel: tuple[int, int]) -> dict[str, Any]:
    """The OCI `linux.seccomp` object for a container holding `caps` on `kernel`."""
    rules = [_allow(ALWAYS)]
    rules += [
        _allow(["personality"], args=[{"index": 0, "value": persona, "op": "SCMP_CMP_EQ"}])
        for persona in PERSONAS
    ]
    if kernel >= PTRACE_SAFE_FROM:
        rules.append(_allow(PTRACE_CALLS))
    for cap, names in CAP_GATED.items():
        if cap in caps:
            rules.append(_allow(names))
    if "CAP_SYS_ADMIN" not in caps:
        flags = {"index": 0, "value": CLONE_NAMESPACE_FLAGS, "valueTwo": 0}
        rules.append(_allow(["clone"], args=[flags | {"op": "SCMP_CMP_MASKED_EQ"}]))
        # clone3 passes its flags in memory, out of the filter's reach: ENOSYS
        # makes the C library fall back to clone, which is filtered above.
        rules.append({"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS})
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": EPERM,
        "architectures": list(ARCHITECTURES),
        "syscalls": rules,
    }
