#!/bin/sh
# Build the application base image (the FROM of the Dockerfiles under demo/apps/)
# from Debian packages: nothing can be pulled, so it stands in for Docker Hub's
# debian:<suite>-slim. Only python3 and ca-certificates on top of minbase: no
# systemd, no sshd, nothing that runs on its own.
# Usage: build-base-image.sh SUITE IMAGE:TAG MIRROR RECIPE_DIGEST
# A script of its own rather than a variant of build-node-image.sh: the recipe
# digest covers the script, so touching that one would rebuild the node images
# (and recreate every running lab machine).
set -eu
suite=$1 image=$2 mirror=$3 digest=$4

rootfs=$(mktemp -d /var/tmp/anchorage-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3,ca-certificates "$suite" "$rootfs" "$mirror" >/dev/null

# What Docker's Debian images do, so that a Dockerfile behaves the same on
# either base: packages never start services while an image is built (Debian's
# maintainer scripts would otherwise start e.g. mariadb during the build)...
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
# ...downloaded packages and apt's binary caches never stay in a layer (an
# `rm -rf /var/lib/apt/lists/*` in a Dockerfile is then all it takes)...
cat >"$rootfs/etc/apt/apt.conf.d/anchorage-slim" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT::AutoRemove::SuggestsImportant "false";
CFG
# ...and documentation, manuals and translations are never installed, which
# keeps every image built on this one small (the copyright files stay).
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/anchorage-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
# debootstrap installed before the exclusions existed: apply them now.
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/groff/* "$rootfs"/usr/share/lintian/*
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

# debootstrap copies the controller's name and resolver into the tree; the
# Engine provides both at run time, and neither belongs in a pushed image.
: >"$rootfs/etc/resolv.conf"
echo 'localhost' >"$rootfs/etc/hostname"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/log/apt/* "$rootfs"/var/log/dpkg.log "$rootfs"/var/log/bootstrap.log

tar -C "$rootfs" --numeric-owner -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
  -c 'CMD ["bash"]' \
  -c "LABEL org.anchorage.recipe=$digest org.anchorage.suite=$suite" \
  - "$image" >/dev/null
echo "built $image ($suite, recipe $digest)"
