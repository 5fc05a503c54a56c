# Make `ansible_collections.anchorage.swarm` importable from a plain clone: the
# repository is reachable as a collection through .collections (a symlink), the
# same path ansible.cfg gives Ansible. ansible_collections is a namespace
# package, so community.* from site-packages stays importable beside it.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '.collections'))
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
