"""After converge: the cluster the inventory describes (roles, leader, labels, availability), one swarm."""

from conftest import MANAGERS, NODES, WORKERS, assert_converged, by_host, cluster_id, cluster_nodes, swarm_info


def test_cluster_is_the_inventory(inventory_vars):
    assert_converged(inventory_vars)


def test_roles_and_leader():
    nodes = cluster_nodes()
    entries = by_host(nodes)
    assert sorted(n for n in entries if entries[n][0]["role"] == "manager") == MANAGERS
    assert sorted(n for n in entries if entries[n][0]["role"] == "worker") == WORKERS
    assert [n["reachability"] for n in nodes if n["role"] == "manager"] == ["reachable"] * 3
    assert len([n for n in nodes if n["leader"]]) == 1
    assert all(n["state"] == "ready" for n in nodes)


def test_labels_and_availability_from_the_inventory(inventory_vars):
    entries = by_host(cluster_nodes())
    assert entries["sw-m1"][0]["labels"] == {"zone": "a"}
    assert entries["sw-w1"][0]["labels"] == {"zone": "b", "disk": "ssd"}
    assert entries["sw-w2"][0]["availability"] == inventory_vars["sw-w2"]["swarm_node_availability"] == "pause"
    assert entries["sw-w1"][0]["availability"] == "active"


def test_one_swarm_with_every_node():
    ids = set(cluster_id(m) for m in MANAGERS)
    assert len(ids) == 1 and all(ids)
    for name in NODES:
        info = swarm_info(name)
        assert info["LocalNodeState"] == "active", name
        assert info["ControlAvailable"] == (name in MANAGERS), name


def test_engine_versions_are_mixed():
    engines = dict((n["hostname"], n["engine"]) for n in cluster_nodes())
    for name in ("sw-m1", "sw-m3", "sw-w2"):
        assert engines[name].startswith("20.10."), engines
    for name in ("sw-m2", "sw-w1"):
        assert engines[name].startswith("26.1."), engines
