# SPDX-License-Identifier: GPL-2.0
# Common helpers for the acrypto scripts. Source it, do not run it.
#
# Layout (everything generated lives under build/, which git ignores):
#   build/linux       kernel work tree: base commit tagged acrypto-base,
#                     one commit per patch of the series on top
#   build/dl          downloaded base package
#   build/out/<name>  out-of-tree kernel builds (O=)
#   build/guest       initramfs staging and guest run logs
#   build/logs        logs of every stage

set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${ACRYPTO_BUILD:-$TOP/build}
LINUX=${ACRYPTO_LINUX:-$BUILD/linux}
OUT=$BUILD/out
LOGS=$BUILD/logs
SHARED=${ACRYPTO_SHARED:-$TOP/../shared}
BASE_TAG=acrypto-base
WORK_BRANCH=acrypto
JOBS=${JOBS:-$(nproc)}

mkdir -p "$BUILD" "$LOGS" "$OUT"

# ccache: paths below the repository are hashed relative to it, so a fresh
# clone elsewhere (as CI makes) still hits the cache of earlier builds.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

info() {
	printf '%s\n' "$*" >&2
}

# Read one key of patches/BASE.
base_get() {
	sed -n "s/^$1=//p" "$TOP/patches/BASE"
}

# stage NAME CMD...: run CMD, print how long it took, keep its status.
stage() {
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	printf '\n==> %s\n' "$name" >&2
	"$@"
	rc=$?
	printf '<== %s: %s in %ss\n' "$name" \
		"$([ $rc -eq 0 ] && echo ok || echo "FAILED ($rc)")" \
		"$(($(date +%s) - t0))" >&2
	return $rc
}

# need_pkgs PKG...: install the Debian packages that are missing.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (run as root): ${missing[*]}"
	info "installing: ${missing[*]}"
	if [ -z "${ACRYPTO_APT_UPDATED:-}" ]; then
		apt-get update -q >"$LOGS/apt-update.log" 2>&1 ||
			die "apt-get update failed, see $LOGS/apt-update.log"
		export ACRYPTO_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >"$LOGS/apt-install.log" 2>&1 ||
		die "apt-get install failed, see $LOGS/apt-install.log"
}

# Packages to build kernels and run the kernel's own scripts.
BUILD_PKGS=(build-essential flex bison bc libelf-dev libssl-dev cpio kmod
	    xz-utils rsync python3 python3-ply python3-git perl git ccache sparse)
# Packages for the QEMU guest and the userspace it carries.
GUEST_PKGS=(qemu-system-x86 busybox-static cryptsetup-bin kcapi-tools iproute2
	    keyutils e2fsprogs)

need_build_deps() {
	need_pkgs "${BUILD_PKGS[@]}" && set_ccache_args
}

need_guest_deps() {
	need_pkgs "${GUEST_PKGS[@]}"
}

# The work tree must exist and carry the base tag.
need_linux() {
	[ -d "$LINUX/.git" ] || die "no kernel work tree at $LINUX: run scripts/get-base"
	git -C "$LINUX" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null ||
		die "$LINUX has no tag $BASE_TAG: run scripts/get-base"
}

# Patch file names listed in series, in order.
series_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$TOP/series" | grep -v '^$' || true
}

# patch_notes FILE: the notes git format-patch --notes wrote below the ---
# of the patch FILE (the "Notes:" block, unindented), or nothing.
patch_notes() {
	awk '
		!cut && /^---$/ { cut = 1; next }
		cut == 1 && /^$/ { next }
		cut == 1 && /^Notes:$/ { cut = 2; next }
		cut == 1 { exit }
		cut == 2 && /^    / {
			for (; blank > 0; blank--)
				print ""
			print substr($0, 5)
			next
		}
		cut == 2 && /^$/ { blank++; next }
		cut == 2 { exit }
	' "$1"
}

# CCACHE_ARGS: the make variables that compile through ccache, when it is
# installed and ACRYPTO_NO_CCACHE is not set; empty otherwise.
# Set again by need_build_deps, which may have just installed ccache.
set_ccache_args() {
	CCACHE_ARGS=()
	if [ -z "${ACRYPTO_NO_CCACHE:-}" ] && command -v ccache >/dev/null; then
		CCACHE_ARGS=(CC="ccache gcc" HOSTCC="ccache gcc")
	fi
}
set_ccache_args

# make wrapper for out-of-tree builds of SRC (default build/linux).
#   kmake OUT [make args...]
kmake() {
	local out=$1
	shift
	make -C "${KSRC:-$LINUX}" O="$out" -j"$JOBS" "${CCACHE_ARGS[@]}" "$@"
}
