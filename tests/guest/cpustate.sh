#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CPU 1 stopped part of the way online, which
# CONFIG_CPU_HOTPLUG_STATE_CONTROL allows through
# /sys/devices/system/cpu/cpu1/hotplug/target: it is in cpu_online_mask,
# but below the hotplug state of the CPU devices, whose offline callback
# took its device. A change of the algorithms of the CPU devices, and a
# write of the list they serve, must not give it a device; once it comes
# the rest of the way, it must get exactly one, serving the new list.
#
# Skipped without CPU hotplug state control.

. /tests/testlib

P=/sys/module/acrypto_cpu/parameters/algs
D=/sys/kernel/acrypto/devices
POOLS=/sys/kernel/acrypto/pools
CPU1=/sys/devices/system/cpu/cpu1
STATES=/sys/devices/system/cpu/hotplug/states
ALG="xctr(aes)"

[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
[ -w "$P" ] || skip "no writable $P (acrypto_cpu not loaded?)"
[ -w "$CPU1/hotplug/target" ] ||
	skip "no $CPU1/hotplug/target (CONFIG_CPU_HOTPLUG_STATE_CONTROL)"

# state NAME: the number of hotplug state NAME.
state() {
	sed -n "s|^ *\([0-9]*\): $1\$|\1|p" "$STATES"
}
PART=$(state "smpboot/threads:online")
OURS=$(state "crypto/acrypto-cpu:online")
ONLINE=$(state online)
[ -n "$PART" ] && [ -n "$OURS" ] && [ -n "$ONLINE" ] ||
	die "hotplug states not found: smpboot $PART, acrypto $OURS, online $ONLINE"
[ "$PART" -lt "$OURS" ] && [ "$OURS" -lt "$ONLINE" ] ||
	die "unexpected order of the states: $PART, $OURS, $ONLINE"
[ "$(cat "$CPU1/hotplug/state")" = "$ONLINE" ] || skip "CPU 1 is not online"

ORIG=$(cat "$P")
case ",$ORIG," in
*",$ALG,"*) skip "the CPU devices serve $ALG already" ;;
esac

cleanup() {
	[ "$(cat "$CPU1/hotplug/state")" = "$ONLINE" ] ||
		echo "$ONLINE" >"$CPU1/hotplug/target"
	[ "$(cat "$P")" = "$ORIG" ] || echo "$ORIG" >"$P"
	[ "$(cat "$CPU1/hotplug/state")" = "$ONLINE" ] ||
		echo "  CPU 1 LEFT AT HOTPLUG STATE $(cat "$CPU1/hotplug/state"): later tests see one CPU less"
}
trap cleanup EXIT

# in_online_mask: whether CPU 1 is in cpu_online_mask.
in_online_mask() {
	awk -v c=1 -F, '{
		for (i = 1; i <= NF; i++) {
			n = split($i, r, "-")
			if (c >= r[1] && c <= r[n]) found = 1
		}
	} END { exit !found }' /sys/devices/system/cpu/online
}

# has_device: whether CPU 1 has a device.
has_device() {
	[ -d "$D/cpu1" ]
}

# cpu1_members ALG: 1 if the pool of ALG has the device of CPU 1, else 0.
cpu1_members() {
	tr ' ' '\n' <"$POOLS/$1/devices" 2>/dev/null | grep -cx cpu1
}

has_device || die "CPU 1 has no device to begin with"
echo "$PART" >"$CPU1/hotplug/target" ||
	die "cannot stop CPU 1 at state $PART"
expect "state of CPU 1" "$(cat "$CPU1/hotplug/state")" "$PART"
in_online_mask || die "CPU 1 left cpu_online_mask at state $PART"
if has_device; then
	fail "CPU 1 kept its device below the state of the CPU devices"
else
	ok "CPU 1 lost its device below the state of the CPU devices"
fi

echo "$ORIG,$ALG" >"$P" || die "adding $ALG to the list failed"
if has_device; then
	fail "the change of the algorithms gave CPU 1 a device below its state"
else
	ok "the change of the algorithms left CPU 1 without a device"
fi
echo "$ORIG,$ALG" >"$P" || fail "writing the list served failed"
if has_device; then
	fail "writing the list served gave CPU 1 a device below its state"
else
	ok "writing the list served left CPU 1 without a device"
fi

if echo "$ONLINE" >"$CPU1/hotplug/target"; then
	ok "CPU 1 came the rest of the way online"
else
	fail "CPU 1 could not come the rest of the way online"
fi
expect "state of CPU 1" "$(cat "$CPU1/hotplug/state")" "$ONLINE"
expect "devices of CPU 1 in the $ALG pool" "$(cpu1_members "$ALG")" 1
expect "devices of CPU 1 in the cbc(aes) pool" "$(cpu1_members "cbc(aes)")" 1

echo "$ORIG" >"$P" || fail "putting the original list back failed"
expect "devices of CPU 1 in the cbc(aes) pool at the end" \
	"$(cpu1_members "cbc(aes)")" 1
finish
