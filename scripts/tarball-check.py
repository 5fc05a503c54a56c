"""What `ansible-galaxy collection build` put in the tarball is the collection and nothing else (make build runs this).

    python3 scripts/tarball-check.py TARBALL

Fails, naming the files, when the tarball holds the repository's development or demo files (the lab's playbooks,
demo apps and stack, tests, Molecule scenarios, the Makefile, developer scripts), or when a shipped plugin, role or
playbook tells its user to run `make` (a target of this repository's Makefile, which the tarball does not have).
"""

import re
import sys
import tarfile

# Top-level entries a collection tarball may hold.
ALLOWED_TOP = {'MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'galaxy.yml', 'requirements.yml', 'site.yml',
               'changelogs', 'docs', 'meta', 'playbooks', 'plugins', 'roles', 'inventories'}
DEMO_PLAYBOOKS = {'playbooks/lab.yml', 'playbooks/lab-down.yml', 'playbooks/images.yml', 'playbooks/demo.yml',
                  'playbooks/registry.yml'}
# `make lab`, `make -s env M=x`, `make ls`: the word make followed by a target or make's own flags.
MAKE = re.compile(r'\bmake\s+(-s\s+)?(lab|lab-down|test|test-quick|ls|start|stop|restart|rm|ssh|env|images|venv|'
                  r'bench|engine-local|integration|unit|lint|sanity|docs|build|molecule[\w-]*|vagrant-check|'
                  r'community-docker-5|[A-Z]+=)')
TEXT = ('.py', '.yml', '.yaml', '.md', '.j2', '.sh', '.cfg', '.txt')


def problems(path):
    found = []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            name = member.name
            top = name.split('/', 1)[0]
            if top not in ALLOWED_TOP:
                found.append('%s: not part of the collection (build_ignore it in galaxy.yml)' % name)
                continue
            if name in DEMO_PLAYBOOKS or name.startswith('inventories/lab'):
                found.append('%s: the lab, not the collection (build_ignore it in galaxy.yml)' % name)
                continue
            if not member.isfile() or not name.endswith(TEXT) or top not in ('plugins', 'roles', 'playbooks'):
                continue
            text = tar.extractfile(member).read().decode('utf-8', 'replace')
            for number, line in enumerate(text.splitlines(), 1):
                if MAKE.search(line):
                    found.append('%s:%d: tells its user to run make, which the collection does not ship: %s'
                                 % (name, number, line.strip()))
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: python3 scripts/tarball-check.py TARBALL')
    found = problems(sys.argv[1])
    for line in found:
        print(line)
    if found:
        sys.exit('%d problem(s) in %s' % (len(found), sys.argv[1]))
    print('%s: the collection only (plugins, roles, production playbooks), no make in what it ships' % sys.argv[1])


if __name__ == '__main__':
    main()
