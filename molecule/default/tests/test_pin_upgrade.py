"""The pin keeps `apt upgrade` from moving docker.io, even when a newer docker.io is offered.

A throwaway local repository offers docker.io 99.0 next to the installed one. apt is pointed at it through its
own sources, lists and preferences options only, so the node's apt configuration is left as it is.
"""

import pytest

from conftest import node

FAKE = "/tmp/anchorage-fake-repo"
APT_OPTS = ("-o Dir::Etc::SourceList={d}/sources.list -o Dir::Etc::SourceParts={d}/parts "
            "-o Dir::State::Lists={d}/lists").format(d=FAKE)
NO_PIN = "-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts={d}/parts".format(d=FAKE)


@pytest.fixture(scope="module")
def d12():
    host = node("engine-d12")
    host.check_output(
        "set -e; d=%s; rm -rf $d; mkdir -p $d/pkg/DEBIAN $d/parts $d/lists/partial;"
        " printf 'Package: docker.io\\nVersion: 99.0.0+fake-1\\nArchitecture: amd64\\n"
        "Maintainer: Anchorage tests <tests@anchorage.invalid>\\nDescription: newer docker.io offered to apt upgrade\\n'"
        " > $d/pkg/DEBIAN/control;"
        " dpkg-deb --build $d/pkg $d/docker.io_99.0.0+fake-1_amd64.deb >/dev/null;"
        " { cat $d/pkg/DEBIAN/control; echo 'Filename: ./docker.io_99.0.0+fake-1_amd64.deb';"
        "   echo \"Size: $(stat -c %%s $d/docker.io_99.0.0+fake-1_amd64.deb)\";"
        "   echo \"SHA256: $(sha256sum $d/docker.io_99.0.0+fake-1_amd64.deb | cut -d' ' -f1)\"; } > $d/Packages;"
        " echo \"deb [trusted=yes] file:$d ./\" > $d/sources.list;"
        " apt-get update -qq %s" % (FAKE, APT_OPTS))
    yield host
    host.run("rm -rf %s" % FAKE)


def test_newer_engine_is_offered(d12):
    # Without the pin, apt upgrade would install the fake 99.0: the test below is meaningful.
    unpinned = d12.check_output("apt-get -s upgrade %s %s" % (APT_OPTS, NO_PIN))
    assert "Inst docker.io [20.10" in unpinned and "(99.0.0+fake-1" in unpinned


def test_pinned_engine_does_not_move(d12):
    pinned = d12.check_output("apt-get -s upgrade %s" % APT_OPTS)
    assert "Inst docker.io" not in pinned
    policy = d12.check_output("apt-cache policy docker.io %s" % APT_OPTS)
    assert "Candidate: 20.10.24" in policy
