#!/bin/sh
# ansible-test bootstraps pip into its sanity venvs with a get-pip.py it
# downloads from a host this CI cannot reach. The pip wheel itself comes from
# PyPI (reachable), and a wheel can run pip: this writes, in ansible-test's
# cache, a get-pip.py stand-in that installs from that wheel.
# Usage: scripts/ansible-test-pip-bootstrap.sh PYTHON   (the venv ansible-test runs from)
set -eu
python=$1
pip_version=$("$python" - <<'PY'
from ansible_test._internal.python_requirements import get_venv_packages
class Python:  # get_venv_packages reads only the version
    version = '3.11'
print(get_venv_packages(Python())['pip'])
PY
)
cache="$HOME/.ansible/test/cache"
script="$cache/get_pip_$(echo "$pip_version" | tr . _).py"
[ -s "$script" ] && exit 0
mkdir -p "$cache"
"$python" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  -d "$cache" "pip==$pip_version"
wheel=$(ls "$cache"/pip-"$pip_version"-*.whl)
cat >"$script" <<PY
# get-pip.py stand-in written by anchorage's scripts/ansible-test-pip-bootstrap.sh:
# runs pip $pip_version from its PyPI wheel to install pip and the given packages.
import sys
sys.path.insert(0, "$wheel")
from pip._internal.cli.main import main
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "$wheel"] + args))
PY
echo "ansible-test pip bootstrap: $script (pip $pip_version from PyPI)"
