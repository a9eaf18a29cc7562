#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The registration of CPU 1's device made to fail when CPU 1 comes online
# (fault injection: /sys/kernel/debug/fail_acrypto_register): CPU 1 must
# come online all the same, without a device, CPU 0 keeping its own;
# writing the list of algorithms the CPU devices serve must then register
# the device.
#
# Skipped without CPU hotplug or without fail_acrypto_register.

. /tests/testlib

P=/sys/module/acrypto_cpu/parameters/algs
D=/sys/kernel/acrypto/devices
POOLS=/sys/kernel/acrypto/pools
CPU1=/sys/devices/system/cpu/cpu1/online
F=/sys/kernel/debug/fail_acrypto_register

[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
[ -w "$P" ] || skip "no writable $P (acrypto_cpu not loaded?)"
[ -w "$CPU1" ] || skip "CPU 1 cannot go offline"
[ "$(cat "$CPU1")" = 1 ] || skip "CPU 1 is offline"
[ -d "$F" ] || skip "no $F (CONFIG_FAULT_INJECTION_DEBUG_FS)"

ORIG=$(cat "$P")

# The defaults of the attribute back, for later tests.
cleanup() {
	echo 0 >"$F/probability"
	echo 1 >"$F/times"
	echo 1 >"$F/interval"
	echo 0 >"$F/space"
	echo 2 >"$F/verbose"
	[ "$(cat "$CPU1")" = 1 ] || echo 1 >"$CPU1"
	[ -d "$D/cpu1" ] || echo "$ORIG" >"$P"
	rm -f "$WORK"/cf.*
}
trap cleanup EXIT

# cpu1_members ALG: 1 if the pool of ALG has the device of CPU 1, else 0.
cpu1_members() {
	tr ' ' '\n' <"$POOLS/$1/devices" 2>/dev/null | grep -cx cpu1
}

[ -d "$D/cpu1" ] || die "CPU 1 has no device to begin with"
echo 0 >"$CPU1" || die "CPU 1 did not go offline"
[ -d "$D/cpu1" ] && die "CPU 1 offline kept its device"

# The next registration fails, once, whichever task makes it (the CPU's
# hotplug thread); no stack trace for it.
echo N >"$F/task-filter"
echo 0 >"$F/verbose"
echo 0 >"$F/space"
echo 1 >"$F/interval"
echo 1 >"$F/times"
echo 100 >"$F/probability"
if echo 1 >"$CPU1"; then
	ok "CPU 1 came online though its device could not be registered"
else
	fail "CPU 1 did not come online when its device could not be registered"
fi
echo 0 >"$F/probability"
expect "injected failures left" "$(cat "$F/times")" 0
expect "CPU 1 online" "$(cat "$CPU1")" 1
if [ -d "$D/cpu1" ]; then
	fail "CPU 1 has a device though its registration failed"
else
	ok "CPU 1 is online without a device"
fi
expect "devices of CPU 1 in the cbc(aes) pool" "$(cpu1_members "cbc(aes)")" 0

if [ -d "$D/cpu0" ]; then
	ok "CPU 0 kept its device"
else
	fail "CPU 0 lost its device"
fi

if echo "$ORIG" >"$P"; then
	ok "writing the list served succeeded"
else
	fail "writing the list served failed"
fi
if [ -d "$D/cpu1" ]; then
	ok "writing the list served gave CPU 1 its device"
else
	fail "writing the list served left CPU 1 without a device"
fi
expect "devices of CPU 1 in the cbc(aes) pool" "$(cpu1_members "cbc(aes)")" 1
finish
