#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The registration of CPU 1's device made to fail when CPU 1 comes online
# (fault injection: /sys/kernel/debug/fail_acrypto_register): CPU 1 must
# come online all the same, without a device, and the frontend must keep
# serving; writing the list of algorithms the CPU devices serve must then
# register the device.
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
need_cmd kcapi-enc

ORIG=$(cat "$P")

cleanup() {
	echo 0 >"$F/probability"
	[ "$(cat "$CPU1")" = 1 ] || echo 1 >"$CPU1"
	[ -d "$D/cpu1" ] || echo "$ORIG" >"$P"
}
trap cleanup EXIT

# cpu1_members ALG: 1 if the pool of ALG has the device of CPU 1, else 0.
cpu1_members() {
	tr ' ' '\n' <"$POOLS/$1/devices" 2>/dev/null | grep -cx cpu1
}

[ -d "$D/cpu1" ] || die "CPU 1 has no device to begin with"
echo 0 >"$CPU1" || die "CPU 1 did not go offline"
[ -d "$D/cpu1" ] && die "CPU 1 offline kept its device"

# The next registration fails, once; no stack trace for it.
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

# The crypto API still works with CPU 1 online without a device (AF_ALG
# reaches the implementation the frontend wraps, not the frontend).
printf '%s' 00112233445566778899aabbccddeeff | xxd -r -p >"$WORK/cf.pt"
printf '%s' 000102030405060708090a0b0c0d0e0f | xxd -r -p >"$WORK/cf.key"
if kcapi-enc -q -e -c "ecb(aes)" --keyfd 3 -i "$WORK/cf.pt" \
	-o "$WORK/cf.ct" 3<"$WORK/cf.key"; then
	expect "ecb(aes) of the FIPS-197 C.1 vector" \
		"$(bin2hex "$WORK/cf.ct")" 69c4e0d86a7b0430d8cdb78070b4c55a
else
	fail "ecb(aes) through AF_ALG failed"
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
rm -f "$WORK"/cf.*
finish
