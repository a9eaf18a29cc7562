#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dm-crypt request priority: the I/O priority class of a bio becomes the
# priority of its crypto requests, which reach the acrypto devices.
#
# A plain aes-xts-plain64 mapping with 4096-byte sectors on a loop device
# backed by a tmpfs file. For each I/O priority class (ionice -c 1, real
# time; -c 3, idle; none), 4 MiB are written and read back with O_DIRECT
# (so that the bios carry the class of the task, not of writeback); the
# acrypto devices must have completed at least one request per sector at
# the matching level (completed_high, completed_low, completed_normal)
# and none at the other two, and the data must read back unchanged.

. /tests/testlib

need_cmd cryptsetup dmsetup losetup ionice dd cmp

[ -c /dev/mapper/control ] || die "no /dev/mapper/control (device mapper missing)"
[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
set -- /sys/kernel/acrypto/devices/*/completed_high
[ -r "$1" ] || skip "acrypto without per-level counters"

SECTORS=1024	# 4 MiB of 4096-byte sectors: one crypto request each

# level_done LEVEL: requests completed at LEVEL by all acrypto devices.
level_done() {
	_n=0
	for _f in /sys/kernel/acrypto/devices/*/completed_"$1"; do
		[ -r "$_f" ] && _n=$((_n + $(cat "$_f")))
	done
	echo "$_n"
}

truncate -s 8M "$WORK/prio.img" || die "cannot create the image"
head -c 64 /dev/urandom >"$WORK/prio.key"
dev=$(losetup -f) || die "no free loop device"
losetup "$dev" "$WORK/prio.img" || die "losetup failed"
cryptsetup open --type plain --batch-mode --cipher aes-xts-plain64 \
	--key-size 512 --key-file "$WORK/prio.key" --sector-size 4096 \
	"$dev" prio-test || { losetup -d "$dev"; die "cryptsetup open failed"; }
echo "  xts(aes): $(best_driver 'xts(aes)')"

# run CLASS LEVEL: I/O of ionice class CLASS ("none" for no class) must
# be counted at LEVEL only.
run() {
	cls=$1 level=$2
	if [ "$cls" = none ]; then
		io=""
	else
		io="ionice -c $cls"
	fi
	head -c $((SECTORS * 4096)) /dev/urandom >"$WORK/prio.data"
	b_low=$(level_done low) b_normal=$(level_done normal) b_high=$(level_done high)
	$io dd if="$WORK/prio.data" of=/dev/mapper/prio-test bs=64k \
		oflag=direct 2>/dev/null || fail "class $cls: write failed"
	$io dd if=/dev/mapper/prio-test of="$WORK/prio.back" bs=64k \
		count=$((SECTORS / 16)) iflag=direct 2>/dev/null ||
		fail "class $cls: read failed"
	d_low=$(($(level_done low) - b_low))
	d_normal=$(($(level_done normal) - b_normal))
	d_high=$(($(level_done high) - b_high))
	echo "  class $cls: completed low +$d_low, normal +$d_normal, high +$d_high"
	if cmp -s "$WORK/prio.data" "$WORK/prio.back"; then
		ok "class $cls: 4 MiB read back unchanged"
	else
		fail "class $cls: data read back differs"
	fi
	for l in low normal high; do
		eval "d=\$d_$l"
		if [ "$l" = "$level" ]; then
			# Written and read: two requests per sector.
			if [ "$d" -ge $((2 * SECTORS)) ]; then
				ok "class $cls: $d requests completed at level $l"
			else
				fail "class $cls: only $d requests at level $l, expected at least $((2 * SECTORS))"
			fi
		else
			expect "class $cls: requests at level $l" "$d" 0
		fi
	done
}

run 1 high
run 3 low
run none normal

cryptsetup close prio-test || fail "close failed"
losetup -d "$dev"
rm -f "$WORK/prio.img" "$WORK/prio.data" "$WORK/prio.back"
finish
