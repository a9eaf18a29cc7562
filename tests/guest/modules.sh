#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# acrypto built as modules (CONFIG_CRYPTO_ACRYPTO=m), loaded and unloaded
# under load. Runs on the kernel of the "modular" stage of scripts/test
# (scripts/build x86-modular); skipped where acrypto is built in.
#
# A dm-crypt mapping (cbc(aes), which the acrypto frontend serves once the
# CPU devices are loaded) is written to continuously with O_DIRECT while
# the driver of the CPU devices is unloaded and loaded again, and while a
# scheduler module is loaded, put in use, refused unloading while in use
# and unloaded after the pool switched away from it. The writes must all
# succeed and the data read back must be what was written; the frontend
# must have run requests on the devices again after they came back. The
# core module must refuse to go while the mapping uses it, and unload and
# load again once it is gone. Then, a default scheduler that is a module
# not loaded yet must be loaded for, and used by, the pools that loading
# the CPU devices creates. Last, with the registration of every CPU
# device failing, acrypto_cpu must load, the retries must register the
# devices, and unloading it with a retry due must be safe.

. /tests/testlib

need_cmd dmsetup losetup dd cmp modprobe rmmod

if [ -d /sys/module/acrypto ] && [ ! -e /sys/module/acrypto/initstate ]; then
	skip "acrypto is built in (the modular stage of scripts/test runs this)"
fi
[ -c /dev/mapper/control ] || die "no /dev/mapper/control (device mapper missing)"

D=/sys/kernel/acrypto/devices
P="/sys/kernel/acrypto/pools/cbc(aes)"
MIB=4

modprobe acrypto_cpu || die "modprobe acrypto_cpu failed"
[ -e /sys/module/acrypto/initstate ] || die "acrypto is not a loaded module"
[ -d "$D/cpu0" ] || die "no device cpu0 after loading acrypto_cpu"
wait_frontend "cbc(aes)" || die "no acrypto frontend for cbc(aes) after loading acrypto_cpu"
ok "acrypto and acrypto_cpu loaded; cbc(aes) is served by $(best_driver "cbc(aes)")"

KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
truncate -s $((MIB + 1))M "$WORK/mod.img" || die "cannot create the image"
dev=$(losetup -f) || die "no free loop device"
losetup "$dev" "$WORK/mod.img" || die "losetup failed"
dmsetup create mod-test --table \
	"0 $((MIB * 2048)) crypt capi:cbc(aes)-plain64 $KEY 0 $dev 0" ||
	{ losetup -d "$dev"; die "dmsetup create failed"; }
dmsetup mknodes mod-test
[ -b /dev/mapper/mod-test ] || die "no block device /dev/mapper/mod-test"
head -c $((MIB << 20)) /dev/urandom >"$WORK/mod.data"

start_writer "$WORK/mod.data" /dev/mapper/mod-test

sleep 1
if rmmod acrypto 2>/dev/null; then
	fail "the core module was unloaded while dm-crypt used its frontend"
else
	ok "the core module refuses to unload while dm-crypt uses it"
fi

rmmod acrypto_cpu || fail "rmmod acrypto_cpu under load failed"
if [ -d "$D" ] && [ -n "$(ls "$D")" ]; then
	fail "devices left after unloading acrypto_cpu: $(ls "$D")"
else
	ok "acrypto_cpu unloaded under load, no device left"
fi
sleep 1
modprobe acrypto_cpu || fail "modprobe acrypto_cpu under load failed"
[ -d "$D/cpu0" ] || fail "no device cpu0 after loading acrypto_cpu again"
before=$(acrypto_done)
sleep 1
after=$(acrypto_done)
if [ "$after" -gt "$before" ]; then
	ok "the reloaded CPU devices completed $((after - before)) requests of the running tfm"
else
	fail "no request reached the reloaded CPU devices (completed $before -> $after)"
fi

if modprobe acrypto-sched-rate; then
	echo rate >"$P/scheduler" || fail "cannot switch cbc(aes) to the rate scheduler"
	grep -q '\[rate\]' "$P/scheduler" || fail "rate is not the current scheduler: $(cat "$P/scheduler")"
	sleep 1
	if rmmod acrypto-sched-rate 2>/dev/null; then
		fail "a scheduler in use was unloaded"
	else
		ok "the rate scheduler refuses to unload while cbc(aes) uses it"
	fi
	echo least-loaded >"$P/scheduler" || fail "cannot switch back to least-loaded"
	rmmod acrypto-sched-rate || fail "rmmod acrypto-sched-rate after switching away failed"
	ok "scheduler module loaded, used, switched away from and unloaded under load"
else
	fail "modprobe acrypto-sched-rate failed"
fi

if stop_writer; then
	ok "$WRITER_ROUNDS writes of $MIB MiB through dm-crypt succeeded across the module changes"
else
	fail "a write through dm-crypt failed during the module changes"
fi
dd if=/dev/mapper/mod-test of="$WORK/mod.back" bs=64k iflag=direct 2>/dev/null ||
	fail "read back failed"
if cmp -s "$WORK/mod.data" "$WORK/mod.back"; then
	ok "$MIB MiB read back unchanged"
else
	fail "data read back differs"
fi

dmsetup remove mod-test || fail "dmsetup remove failed"
losetup -d "$dev"
rm -f "$WORK/mod.img" "$WORK/mod.data" "$WORK/mod.back"

rmmod acrypto_cpu || fail "rmmod acrypto_cpu failed"
if rmmod acrypto; then
	ok "the core module unloads once nothing uses it"
else
	fail "rmmod acrypto failed with no user left"
fi
if modprobe acrypto_cpu && wait_frontend "cbc(aes)"; then
	ok "acrypto and acrypto_cpu load again: $(best_driver "cbc(aes)")"
else
	fail "acrypto does not load again after unloading"
fi

# A default scheduler whose module is not loaded: acrypto_cpu loads it
# before it takes the CPU hotplug lock (pools load no module: they are
# created under that lock or acrypto's mutex), and its new pools use it.
S=/sys/module/acrypto/parameters/scheduler
rmmod acrypto_cpu || fail "rmmod acrypto_cpu failed"
if [ -d /sys/module/acrypto_sched_size ]; then
	rmmod acrypto-sched-size || fail "rmmod acrypto-sched-size failed"
fi
echo size >"$S" || fail "cannot make size the default scheduler"
if modprobe acrypto_cpu && wait_frontend "cbc(aes)"; then
	if grep -q '\[size\]' "$P/scheduler"; then
		ok "a new pool of the CPU devices uses the default scheduler, loaded for it"
	else
		fail "cbc(aes) does not use the default scheduler size: $(cat "$P/scheduler")"
	fi
else
	fail "acrypto_cpu does not load with size as the default scheduler"
fi
echo least-loaded >"$S" || fail "cannot make least-loaded the default scheduler again"

# The registration of every CPU device made to fail as acrypto_cpu loads
# (fault injection, as in cpufail.sh): the module loads all the same, and
# the retries register the devices a second later. Unloaded while a
# retry is due, it must cancel it: the console is checked for oopses.
F=$FAIL_REGISTER
# devices: the number of registered devices.
devices() {
	ls "$D" 2>/dev/null | wc -l
}
if [ -d "$F" ]; then
	ncpu=$(nproc)
	rmmod acrypto_cpu || fail "rmmod acrypto_cpu failed"
	without=$(dmesg | grep -c "online without a device")
	fail_register_arm "$ncpu"
	if modprobe acrypto_cpu; then
		ok "acrypto_cpu loads though no CPU device could be registered"
	else
		fail "acrypto_cpu does not load when no CPU device can be registered"
	fi
	expect "injected failures left" "$(cat "$F/times")" 0
	expect "CPUs online without a device" \
		"$(($(dmesg | grep -c "online without a device") - without))" "$ncpu"
	n=0
	while [ "$(devices)" -lt "$ncpu" ] && [ "$n" -lt 20 ]; do
		sleep 1
		n=$((n + 1))
	done
	expect "devices registered by the retries" "$(devices)" "$ncpu"

	# Every registration fails now, so that a retry is still due (for
	# 31 seconds) however slowly modprobe and rmmod run.
	rmmod acrypto_cpu || fail "rmmod acrypto_cpu failed"
	fail_register_arm 1000
	modprobe acrypto_cpu || fail "modprobe acrypto_cpu failed"
	if rmmod acrypto_cpu; then
		ok "acrypto_cpu unloads with a retry due"
	else
		fail "rmmod acrypto_cpu with a retry due failed"
	fi
	left=$(cat "$F/times")
	# Past the time the next retry was due.
	sleep 3
	expect "registrations tried after the unload" "$(cat "$F/times")" "$left"
	fail_register_reset
	if modprobe acrypto_cpu && [ "$(devices)" -eq "$ncpu" ]; then
		ok "acrypto_cpu loads again with a device per CPU"
	else
		fail "acrypto_cpu does not load again with a device per CPU ($(devices))"
	fi
else
	fail "no $F: the guest kernel lacks CONFIG_FAIL_ACRYPTO_REGISTER (kconfig/acrypto.config)"
fi
finish
