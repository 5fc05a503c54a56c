"""After converge on the VirtualBox VMs: one swarm of the three nodes, each advertising its private address.

The nodes are reached as Molecule's inventory describes them (user vagrant over the forwarded SSH ports, sudo for
docker), through testinfra's ansible backend.
"""

import json
import os

import testinfra

INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")
MANAGER = "vg-m1"
WORKERS = ["vg-w1", "vg-w2"]
# The private_network addresses of molecule.yml; NAT gives every VM the same other address.
ADDRESSES = {"vg-m1": "192.168.56.31", "vg-w1": "192.168.56.32", "vg-w2": "192.168.56.33"}


def node(name):
    return testinfra.get_host("ansible://%s" % name, ansible_inventory=INVENTORY, sudo=True)


def out(name, cmd):
    result = node(name).run(cmd)
    assert result.rc == 0, "%s on %s: rc=%s %s %s" % (cmd, name, result.rc, result.stdout, result.stderr)
    return result.stdout.strip()


def nodes():
    """`docker node inspect` of every node, read on the manager: {hostname: {role, state, leader, address}}.

    A manager's address is the one it serves the cluster on (ManagerStatus.Addr, without the port): its Status.Addr
    may read 0.0.0.0 on some Engine versions.
    """
    ids = out(MANAGER, "docker node ls -q").split()
    found = {}
    for n in json.loads(out(MANAGER, "docker node inspect %s" % " ".join(ids))):
        manager = n.get("ManagerStatus") or {}
        address = manager["Addr"].rsplit(":", 1)[0] if manager else n["Status"]["Addr"]
        found[n["Description"]["Hostname"]] = dict(role=n["Spec"]["Role"], state=n["Status"]["State"],
                                                   leader=bool(manager.get("Leader")), address=address)
    return found


def test_three_nodes_ready_one_leader():
    found = nodes()
    assert sorted(found) == sorted([MANAGER] + WORKERS), found
    assert all(n["state"] == "ready" for n in found.values()), found
    assert [name for name, n in found.items() if n["leader"]] == [MANAGER], found
    assert [name for name, n in found.items() if n["role"] == "manager"] == [MANAGER], found


def test_each_node_uses_its_private_address():
    found = nodes()
    assert dict((name, n["address"]) for name, n in found.items()) == ADDRESSES, found
    swarm = json.loads(out(MANAGER, "docker info --format '{{json .Swarm}}'"))
    assert swarm["NodeAddr"] == ADDRESSES[MANAGER], swarm


def test_workers_joined_the_manager_at_its_private_address():
    for name in WORKERS:
        info = json.loads(out(name, "docker info --format '{{json .Swarm}}'"))
        assert info["LocalNodeState"] == "active", (name, info)
        assert info["ControlAvailable"] is False, (name, info)
        assert [m["Addr"] for m in info["RemoteManagers"]] == [ADDRESSES[MANAGER] + ":2377"], (name, info)
