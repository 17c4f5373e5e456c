"""The native engine's networking: IPAM, bridges and veths, iptables, port proxies, DNS."""

from native_runtime.network.manager import NetworkManager
from native_runtime.network.model import Naming, Network, Plan, SandboxFiles
from native_runtime.network.proxy import PortProxy

__all__ = ["Naming", "Network", "NetworkManager", "Plan", "PortProxy", "SandboxFiles"]
