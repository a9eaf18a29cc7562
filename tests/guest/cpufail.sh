#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The registration of CPU 1's device made to fail when CPU 1 comes online
# (fault injection: /sys/kernel/debug/fail_acrypto_register): CPU 1 must
# come online all the same, without a device, CPU 0 keeping its own.
# With the first two retries failing too, the third one, about seven
# seconds later, must register the device, with nothing written. With
# every registration failing, the retries must give up after five tries
# (about 31 seconds) and try no more, leaving the CPU online without a
# device; writing the list of algorithms the CPU devices serve must then
# register it.
#
# Skipped without CPU hotplug or without fail_acrypto_register.

. /tests/testlib

P=/sys/module/acrypto_cpu/parameters/algs
D=/sys/kernel/acrypto/devices
POOLS=/sys/kernel/acrypto/pools
CPU1=/sys/devices/system/cpu/cpu1/online
F=$FAIL_REGISTER

[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
[ -w "$P" ] || skip "no writable $P (acrypto_cpu not loaded?)"
[ -w "$CPU1" ] || skip "CPU 1 cannot go offline"
[ "$(cat "$CPU1")" = 1 ] || skip "CPU 1 is offline"
[ -d "$F" ] || die "no $F: the guest kernel lacks CONFIG_FAIL_ACRYPTO_REGISTER (kconfig/acrypto.config)"

ORIG=$(cat "$P")

# The defaults of the attribute back, for later tests.
cleanup() {
	fail_register_reset
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

# wait_device SECS: wait up to SECS seconds for CPU 1's device.
wait_device() {
	_n=0
	while [ ! -d "$D/cpu1" ] && [ "$_n" -lt "$1" ]; do
		sleep 1
		_n=$((_n + 1))
	done
	[ -d "$D/cpu1" ]
}

# mark: a line of its own in the kernel log, from which since() reads.
MARK=0
mark() {
	MARK=$((MARK + 1))
	echo "cpufail: mark $MARK" >/dev/kmsg
}

# since TEXT: the lines of the kernel log after the last mark with TEXT.
since() {
	dmesg | sed -n "/cpufail: mark $MARK\$/,\$p" | grep -cF "$1"
}

# wait_log SECS TEXT: wait up to SECS seconds for TEXT in the kernel log
# after the last mark.
wait_log() {
	_n=0
	while [ "$(since "$2")" -eq 0 ] && [ "$_n" -lt "$1" ]; do
		sleep 1
		_n=$((_n + 1))
	done
	[ "$(since "$2")" -gt 0 ]
}

# Three failures: the registration when CPU 1 comes online, and the
# retries after one and after two more seconds.
fail_register_arm 3
if echo 1 >"$CPU1"; then
	ok "CPU 1 came online though its device could not be registered"
else
	fail "CPU 1 did not come online when its device could not be registered"
fi
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

if wait_device 30; then
	ok "a retry gave CPU 1 its device, nothing written"
else
	fail "no retry gave CPU 1 its device in 30 seconds"
fi
expect "injected failures left" "$(cat "$F/times")" 0
echo 0 >"$F/probability"
expect "devices of CPU 1 in the cbc(aes) pool" "$(cpu1_members "cbc(aes)")" 1
expect "algorithms served" "$(cat "$P")" "$ORIG"

# Every registration fails: the retries give up, after the registration
# when CPU 1 comes online and five retries, 31 seconds in all.
echo 0 >"$CPU1" || die "CPU 1 did not go offline"
mark
fail_register_arm 100
echo 1 >"$CPU1" || fail "CPU 1 did not come online with every registration failing"
if wait_log 60 "no more retries after 5 tries"; then
	ok "the retries gave up"
else
	fail "the retries did not give up in 60 seconds"
fi
expect "injected failures" "$((100 - $(cat "$F/times")))" 6
expect "failures of the last try logged" \
	"$(since "CPU 1 still without a device")" 1
# Longer than a sixth retry would wait (32 seconds), had one been queued.
sleep 40
expect "injected failures after 40 more seconds" \
	"$((100 - $(cat "$F/times")))" 6
echo 0 >"$F/probability"
if [ -d "$D/cpu1" ]; then
	fail "CPU 1 has a device though every registration failed"
else
	ok "CPU 1 stays without a device once the retries gave up"
fi
expect "CPU 1 online" "$(cat "$CPU1")" 1

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
