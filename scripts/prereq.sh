#!/bin/sh
# What a make target needs on this machine. Run as root (with apt-get), a missing piece is installed, saying what
# and why: Debian packages with apt-get, Docker Engine with this collection's own engine role (make engine-local).
# Without root (or with ANCHORAGE_INSTALL_MISSING=no), one clear sentence on what to do, never a stack trace.
# Usage: scripts/prereq.sh python|docker|debootstrap|git|shellcheck|chromium|ruby|root|vagrant ...
set -u
say() { printf '%s\n' "$*" >&2; exit 2; }
can_install() {
  [ "${ANCHORAGE_INSTALL_MISSING:-yes}" != no ] && [ "$(id -u 2>/dev/null)" = 0 ] && command -v apt-get >/dev/null 2>&1
}
updated=
# apt_install PACKAGE WHY: install a Debian package as root, or say what to install and stop.
apt_install() {
  if ! can_install; then
    say "$1 is missing: $2, install it ('apt-get install $1', or run make as root to have it installed) and run make again."
  fi
  printf 'Installing %s (apt-get): %s.\n' "$1" "$2" >&2
  if [ -z "$updated" ]; then
    apt-get update -qq >/dev/null || say "apt-get update failed: $1 cannot be installed, fix the package sources (/etc/apt/sources.list*) and run make again."
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null \
    || say "apt-get install $1 failed: install it by hand and run make again."
}
need_tool() { command -v "$1" >/dev/null 2>&1 || apt_install "$2" "$3"; }
for need in "$@"; do
  case "$need" in
    python)
      command -v python3 >/dev/null 2>&1 \
        || apt_install python3 "Ansible and the project's tools run on Python 3.11 or newer"
      python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || say "python3 is $(python3 -V 2>&1 | cut -d' ' -f2), ansible-core 2.19 needs 3.11 or newer: install a newer Python and run make again (or PY=python3.11 make ...)."
      python3 -c 'import venv, ensurepip' >/dev/null 2>&1 \
        || apt_install python3-venv "the project's tools (Ansible, Molecule, linters) live in a Python virtual environment"
      ;;
    docker)
      if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
        if can_install; then
          printf '%s\n' "No Docker engine answers on this machine: installing and starting Docker Engine with this collection's engine role (make engine-local), since the lab's machines and the tests' nodes are containers." >&2
          "${MAKE:-make}" --no-print-directory engine-local \
            || say "make engine-local could not install or start Docker Engine: see its output above, then run make again."
        elif ! command -v docker >/dev/null 2>&1; then
          say "No docker client on PATH: install Docker Engine (or run 'make engine-local' as root to install it with this collection's engine role) and run make again."
        else
          say "No Docker engine answers on this machine: start it ('systemctl start docker', or 'dockerd &' where there is no systemd), or run 'make engine-local' as root to install and start it with this collection's engine role."
        fi
      fi
      ;;
    debootstrap)
      need_tool debootstrap debootstrap "lab node images are built from Debian packages with it"
      ;;
    git)
      need_tool git git "ansible-test sanity lists the collection's files with it"
      ;;
    shellcheck)
      need_tool shellcheck shellcheck "ansible-test sanity checks the shell scripts with it (and skips that check without it)"
      ;;
    chromium)
      need_tool chromium chromium "the visualizer's test looks at the page in headless Chromium"
      ;;
    ruby)
      need_tool ruby ruby "the rendered Vagrantfile is checked with it"
      ;;
    vagrant)
      command -v vagrant >/dev/null 2>&1 \
        || say "vagrant is missing: this scenario makes VirtualBox VMs with it, install Vagrant (https://developer.hashicorp.com/vagrant/install) and VirtualBox, and run make again."
      command -v VBoxManage >/dev/null 2>&1 \
        || say "VirtualBox is missing (no VBoxManage on PATH): install it (https://www.virtualbox.org/wiki/Downloads) and run make again."
      ;;
    root)
      [ "$(id -u)" = 0 ] \
        || say "This target installs packages on this machine: run it as root (e.g. 'sudo make engine-local')."
      ;;
  esac
done
