#!/bin/sh
# One clear sentence per missing prerequisite, never a stack trace.
# Usage: scripts/prereq.sh python|docker|debootstrap|root|ruby|vagrant
set -u
say() { printf '%s\n' "$*" >&2; exit 2; }
for need in "$@"; do
  case "$need" in
    python)
      command -v python3 >/dev/null 2>&1 \
        || say "python3 is missing: install Python 3.11 or newer (e.g. 'apt-get install python3 python3-venv') and run make again."
      python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || say "python3 is $(python3 -V 2>&1 | cut -d' ' -f2), ansible-core 2.19 needs 3.11 or newer: install a newer Python and run make again (or PY=python3.11 make ...)."
      python3 -c 'import venv, ensurepip' >/dev/null 2>&1 \
        || say "python3 cannot create virtual environments: install its venv module (e.g. 'apt-get install python3-venv') and run make again."
      ;;
    docker)
      command -v docker >/dev/null 2>&1 \
        || say "No docker client on PATH: install Docker Engine (or run 'make engine-local' as root to install it with this collection's engine role) and run make again."
      docker info >/dev/null 2>&1 \
        || say "No Docker engine answers on this machine: start it ('systemctl start docker', or 'dockerd &' where there is no systemd), or run 'make engine-local' as root to install and start it with this collection's engine role."
      ;;
    debootstrap)
      command -v debootstrap >/dev/null 2>&1 \
        || say "debootstrap is missing: lab node images are built from Debian packages, install it ('apt-get install debootstrap') and run make again."
      ;;
    ruby)
      command -v ruby >/dev/null 2>&1 \
        || say "ruby is missing: the rendered Vagrantfile is checked with it, install it ('apt-get install ruby') and run make again."
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
