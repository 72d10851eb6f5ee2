"""Where the poller may connect: the configured counter, never link-local or cloud-metadata addresses.

A counter's `host` is typed in by an administrator, so the hub must not become a way to reach
the machine's own cloud metadata service (169.254.169.254, 100.100.100.200, fd00:ec2::254 …) or
link-local neighbours. Literal addresses are checked when the config loads; names are resolved
and every address checked just before connecting, and the connection goes to the checked
address (a second lookup could answer differently).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# (network, why it is refused)
REFUSED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), why) for net, why in (
        ("169.254.0.0/16", "link-local (and the cloud metadata address 169.254.169.254)"),
        ("fe80::/10", "IPv6 link-local"),
        ("100.100.100.200/32", "Alibaba Cloud metadata"),
        ("168.63.129.16/32", "Azure host services"),
        ("fd00:ec2::254/128", "AWS IPv6 metadata"),
        ("0.0.0.0/8", "'this network' (not a counter)"),
        ("::/128", "the unspecified address"),
        ("224.0.0.0/4", "multicast"),
        ("ff00::/8", "IPv6 multicast"),
        ("255.255.255.255/32", "broadcast"),
    ))


class AddressRefused(ValueError):
    """The counter's address may not be connected to; the message says which and why."""


def refusal(address: IpAddress) -> str | None:
    """Why the poller must not connect to `address`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for network, why in REFUSED_NETWORKS:
        if address.version == network.version and address in network:
            return why
    return None


def literal(host: str) -> IpAddress | None:
    """The host as an IP address when it is one (brackets and an IPv6 zone allowed), else None."""
    text = host.strip().removeprefix("[").removesuffix("]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def check_host(host: str) -> str:
    """Refuse a literal address in a refused network (names are checked when resolved)."""
    address = literal(host)
    if address is not None and (why := refusal(address)) is not None:
        raise AddressRefused(f"host {host}: {why} addresses are refused; give the counter's LAN address")
    return host


async def resolve(host: str, port: int) -> str:
    """The one address to connect to for host:port, every resolved address checked first."""
    address = literal(host)
    if address is not None:
        check_host(host)
        return str(address)
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise AddressRefused(f"host {host}: the name does not resolve ({error.strerror or error})") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    for resolved in addresses:
        if (why := refusal(resolved)) is not None:
            raise AddressRefused(f"host {host} resolves to {resolved}: {why} addresses are refused")
    if not addresses:
        raise AddressRefused(f"host {host}: the name resolves to no address")
    return str(addresses[0])
