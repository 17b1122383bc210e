#!/bin/bash
# debroot.sh - a minimal Debian 12 (bookworm) root with a Python
# application stack, built once and reused (issue #14's proof, and any
# check that wants a real deployable nobody here wrote).
#
#   . tests/real/debroot.sh; R=$(debroot)     (or: bash tests/real/debroot.sh)
#
# prints the path of the cached root: $SLIM_DEBROOT, default
# /var/cache/slim-check-real/root.  Built only when missing (debootstrap
# --variant=minbase from Debian's archive, then apt-get inside it of
# python3 and packages with native libraries: numpy (OpenBLAS, gfortran),
# yaml (libyaml), lxml (libxml2, libxslt), requests); the archives are
# cleaned so that the root holds only what is installed.  A build that
# fails half way leaves nothing: it is made beside the target and renamed
# when complete.  Needs root, debootstrap and the network (deb.debian.org
# or the mirror in $DEBROOT_MIRROR).
DEBROOT_PKGS=${DEBROOT_PKGS:-python3 python3-numpy python3-yaml python3-lxml python3-requests}

debroot() {
	local R=${SLIM_DEBROOT:-/var/cache/slim-check-real/root}
	local mirror=${DEBROOT_MIRROR:-http://deb.debian.org/debian}
	if [ -x "$R/usr/bin/python3" ] && [ -e "$R/.slim-debroot-done" ]; then
		echo "$R"
		return 0
	fi
	[ "$(id -u)" = 0 ] || { echo "debroot: needs root (debootstrap, chroot)" >&2; return 1; }
	command -v debootstrap > /dev/null ||
		{ echo "debroot: debootstrap missing (apt-get install debootstrap)" >&2; return 1; }
	local tmp=$R.tmp
	rm -rf "$tmp" && mkdir -p "$(dirname "$R")" || return 1
	echo "debroot: debootstrap bookworm into $tmp (once)" >&2
	debootstrap --variant=minbase bookworm "$tmp" "$mirror" > "$tmp.log" 2>&1 ||
		{ echo "debroot: debootstrap failed, see $tmp.log" >&2; tail -5 "$tmp.log" >&2; return 1; }
	cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2> /dev/null
	mount -t proc proc "$tmp/proc" || return 1
	chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >> "$tmp.log" 2>&1 &&
		chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $DEBROOT_PKGS >> "$tmp.log" 2>&1
	local rc=$?
	chroot "$tmp" apt-get clean > /dev/null 2>&1
	umount "$tmp/proc"
	[ $rc = 0 ] || { echo "debroot: apt-get install $DEBROOT_PKGS failed, see $tmp.log" >&2; tail -5 "$tmp.log" >&2; return 1; }
	rm -rf "$tmp/var/lib/apt/lists"/* "$tmp/var/cache/apt"/*.bin
	touch "$tmp/.slim-debroot-done"
	rm -rf "$R" && mv "$tmp" "$R" || return 1
	echo "$R"
}

# run as a script: build (or find) the root and print its path
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	debroot
fi
