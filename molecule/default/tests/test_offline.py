"""The offline node got Engine and the Docker SDK from the controller's bundle, with no network at all."""

testinfra_hosts = ["ansible://engine-offline"]


def test_node_has_no_network(host):
    links = host.check_output("ip -o link show | awk -F': ' '{print $2}'").split()
    assert links == ["lo"] or all(link == "lo" or link.startswith(("docker0", "veth")) for link in links), links
    assert host.run("ip route show default").stdout.strip() == ""


def test_packages_came_from_the_bundle(host):
    assert host.package("docker.io").is_installed
    assert host.package("python3-docker").is_installed
    assert host.package("python3-yaml").is_installed
    bundle = host.file("/var/cache/anchorage/engine-bundle")
    assert bundle.is_directory
    assert any(name.startswith("docker.io_") and name.endswith(".deb") for name in bundle.listdir())
    # no package lists were ever downloaded
    lists = host.check_output("find /var/lib/apt/lists -name '*_Packages*' | wc -l")
    assert lists == "0"
