# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Collections taken out of the `ansible` package on PyPI, into a collection path of their own.

    collections-from-ansible.py --ansible 13.8.0 --dest DIR [--expect community.docker=5.] NAME [NAME ...]

Galaxy (and GitHub) cannot be reached from CI, PyPI can: the `ansible` package carries the released collections,
built from their public source. Its wheel is downloaded with pip (no dependencies, no install: ansible 13 needs
Python 3.12 and ansible-core 2.20 to install, but its collections are plain files), and only the collections named
are unpacked into DIR/ansible_collections/NAMESPACE/NAME. With DIR first on ANSIBLE_COLLECTIONS_PATH, Ansible loads
those instead of the ones in .venv. A second run with the same arguments does nothing.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

STAMP = ".from-ansible.json"


def manifest_version(root: str, name: str) -> str:
    path = os.path.join(root, "ansible_collections", *name.split("."), "MANIFEST.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["collection_info"]["version"]


def download(version: str, cache: str) -> str:
    wheel = os.path.join(cache, "ansible-%s-py3-none-any.whl" % version)
    if os.path.exists(wheel):
        return wheel
    os.makedirs(cache, exist_ok=True)
    # --python-version: ansible >= 13 declares Python 3.12; only its files are wanted here, never an install.
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--only-binary=:all:", "--python-version", "3.12", "--dest", cache, "ansible==%s" % version],
                   check=True)
    if not os.path.exists(wheel):
        found = glob.glob(os.path.join(cache, "ansible-%s-*.whl" % version))
        if not found:
            sys.exit("collections-from-ansible: pip gave no wheel of ansible %s in %s" % (version, cache))
        wheel = found[0]
    return wheel


def unpack(wheel: str, names: list[str], dest: str) -> None:
    prefixes = ["ansible_collections/%s/" % n.replace(".", "/") for n in names]
    work = tempfile.mkdtemp(prefix=".unpack-", dir=os.path.dirname(os.path.abspath(dest)) or ".")
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = [m for m in archive.namelist() if any(m.startswith(p) for p in prefixes)]
            missing = [n for n, p in zip(names, prefixes) if not any(m.startswith(p) for m in members)]
            if missing:
                sys.exit("collections-from-ansible: %s carries no %s" % (os.path.basename(wheel), ", ".join(missing)))
            archive.extractall(work, members)
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.rename(work, dest)
    finally:
        if os.path.exists(work):
            shutil.rmtree(work)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--ansible", required=True, help="version of the ansible package on PyPI")
    parser.add_argument("--dest", required=True, help="collection path to write (DIR/ansible_collections/...)")
    parser.add_argument("--cache", default=os.path.join(".cache", "wheels"), help="where the wheel is kept")
    parser.add_argument("--expect", action="append", default=[],
                        help="NAME=PREFIX: fail unless the collection's version starts with PREFIX")
    parser.add_argument("names", nargs="+", help="collections to take, e.g. community.docker")
    args = parser.parse_args(argv)

    wanted = {"ansible": args.ansible, "names": sorted(args.names)}
    stamp = os.path.join(args.dest, STAMP)
    try:
        with open(stamp, encoding="utf-8") as handle:
            current = json.load(handle).get("wanted") == wanted
    except (OSError, ValueError):
        current = False
    if not current:
        unpack(download(args.ansible, args.cache), args.names, args.dest)
        versions = dict((n, manifest_version(args.dest, n)) for n in args.names)
        with open(stamp, "w", encoding="utf-8") as handle:
            json.dump({"wanted": wanted, "versions": versions}, handle)
    versions = dict((n, manifest_version(args.dest, n)) for n in args.names)
    for expect in args.expect:
        name, prefix = expect.split("=", 1) if "=" in expect else (expect, "")
        if not versions.get(name, "").startswith(prefix):
            sys.exit("collections-from-ansible: ansible %s carries %s %s, not %s*"
                     % (args.ansible, name, versions.get(name, "(none)"), prefix))
    listed = ", ".join("%s %s" % kv for kv in sorted(versions.items()))
    print("ansible %s: %s in %s" % (args.ansible, listed, args.dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
