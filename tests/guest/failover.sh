#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Failover of dm-crypt I/O between acrypto devices, with the fault-injection
# devices of acrypto_faultdev (CONFIG_CRYPTO_ACRYPTO_FAULTDEV).
#
# 1. The CPU devices are marked broken, so that faultdev0 and faultdev1
#    serve xts(aes) alone (FAILOVER_BREAK_CPUS=0 keeps them online). Plain
#    dm-crypt aes-xts-plain64 on a loop device over a tmpfs file, ext4 on
#    top. Two writers keep I/O going (O_DIRECT writes read back and
#    compared, buffered copies checksummed) while faultdev1 is marked
#    broken and online again FAILOVER_FLIPS times, faultdev0 fails every
#    request before starting it for a while (mode fail_start: -EAGAIN,
#    data untouched), the fault-injection framework fails some requests of
#    faultdev0 before start at random (if the kernel has
#    FAULT_INJECTION_DEBUG_FS), faultdev0 stalls for a second, and
#    faultdev1 unregisters itself and comes back (mode disappear). Then:
#    no I/O error (writer exit codes, dmesg), e2fsck -f -n clean, every
#    checksum matches.
# 2. Every device, CPU and fault-injection, is broken: a direct write and
#    read back must finish within a timeout, whether they succeed (the
#    frontend's software fallback) or fail with an error, and what was
#    reported written must read back intact.
# 3. faultdev0 alone, in mode fail_partial (each request processed, then
#    completed with -EIO): a direct read must fail with an error, not be
#    retried on other devices or in software over data that may have
#    changed; the data reads back intact once the devices are restored.
#
# FAILOVER_RETRY=0 leaves out what needs acrypto to run the requests a
# device did not start (-EAGAIN) on another device: fail_start, the
# fault-injection framework and disappear.
#
# The devices are restored (online, mode none) and the module removed at
# the end; its removal must return.

. /tests/testlib

FLIPS=${FAILOVER_FLIPS:-20}
BREAK_CPUS=${FAILOVER_BREAK_CPUS:-1}
IO_TIMEOUT=${FAILOVER_IO_TIMEOUT:-60}
RETRY=${FAILOVER_RETRY:-1}

SYS=/sys/kernel/acrypto/devices
DBG=/sys/kernel/debug/acrypto_faultdev
NAME=failover
MNT=$WORK/mnt

need_cmd cryptsetup dmsetup losetup sha256sum mkfs.ext4 e2fsck timeout
[ -c /dev/mapper/control ] || die "no /dev/mapper/control (device mapper missing)"
[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
if [ ! -d "$SYS/faultdev0" ]; then
	modprobe acrypto_faultdev 2>/dev/null ||
		skip "no acrypto_faultdev module (CONFIG_CRYPTO_ACRYPTO_FAULTDEV)"
	LOADED=1
fi
[ -d "$DBG/faultdev0" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
{ [ -d "$DBG/faultdev0" ] && [ -d "$DBG/faultdev1" ]; } ||
	die "no $DBG/faultdev0 and faultdev1 (module loaded with devices=1?)"
case " $(cat "$SYS/faultdev0/algorithms") " in
*" xts(aes) "*) ;;
*) skip "faultdev0 does not serve xts(aes) (acrypto_faultdev.algs)" ;;
esac

sum() {
	sha256sum "$@" | cut -d' ' -f1
}

# set_state DEV STATE: write the sysfs state of an acrypto device.
set_state() {
	echo "$2" >"$SYS/$1/state" || fail "cannot mark $1 $2"
}

# set_mode DEV MODE: the failure mode of a fault-injection device.
set_mode() {
	echo "$2" >"$DBG/$1/mode" || fail "cannot set the mode of $1 to $2"
}

# wait_registered DEV Y|N: wait up to 30 s for DEV to (un)register.
wait_registered() {
	_n=0
	[ -r "$DBG/$1/registered" ] || return 1
	while [ "$(cat "$DBG/$1/registered")" != "$2" ]; do
		_n=$((_n + 1))
		[ $_n -gt 300 ] && return 1
		sleep 0.1
	done
	return 0
}

CPUS=
for d in "$SYS"/cpu*; do
	[ -d "$d" ] && CPUS="$CPUS ${d##*/}"
done
FAULTDEVS=
for d in "$DBG"/faultdev*; do
	[ -d "$d" ] && FAULTDEVS="$FAULTDEVS ${d##*/}"
done

# Whatever happens, give the machine back as it was.
cleanup() {
	[ -n "${WRITERS:-}" ] && { touch "$WORK/stop"; wait 2>/dev/null; }
	for f in $FAULTDEVS; do
		[ -d "$DBG/$f" ] || continue
		echo none >"$DBG/$f/mode"
		[ -w "$DBG/$f/fail_start/probability" ] &&
			echo 0 >"$DBG/$f/fail_start/probability"
	done
	for f in $FAULTDEVS; do
		[ -d "$DBG/$f" ] && wait_registered "$f" Y
	done
	for d in $CPUS $FAULTDEVS; do
		[ -w "$SYS/$d/state" ] && echo online >"$SYS/$d/state" 2>/dev/null
	done
	grep -q " $MNT " /proc/mounts && umount "$MNT"
	[ -b "/dev/mapper/$NAME" ] && cryptsetup close "$NAME"
	[ -n "${dev:-}" ] && losetup -d "$dev" 2>/dev/null
	if [ -n "${LOADED:-}" ]; then
		rmmod acrypto_faultdev 2>/dev/null
		LOADED=
	fi
}
trap cleanup EXIT

# show_devices: completed/errors of each device, and the fault counters.
show_devices() {
	for d in $CPUS $FAULTDEVS; do
		[ -r "$SYS/$d/completed" ] || continue
		line="  device $d ($(cat "$SYS/$d/state")): completed $(cat "$SYS/$d/completed"), errors $(cat "$SYS/$d/errors")"
		[ -d "$DBG/$d" ] &&
			line="$line; processed $(cat "$DBG/$d/processed"), failed_start $(cat "$DBG/$d/failed_start"), failed_partial $(cat "$DBG/$d/failed_partial"), stalled $(cat "$DBG/$d/stalled")"
		echo "$line"
	done
}

DMESG0=$(dmesg | wc -l)

# Requests take a while on the fault-injection devices, so that several
# are in flight when a device breaks.
for f in $FAULTDEVS; do
	echo 200 >"$DBG/$f/latency_us" || fail "cannot set the latency of $f"
	set_mode "$f" none
done
if [ "$BREAK_CPUS" = 1 ]; then
	for c in $CPUS; do
		set_state "$c" broken
	done
	echo "  CPU devices broken:$CPUS; xts(aes) is served by$FAULTDEVS"
fi

echo "part 1: dm-crypt I/O while devices break, fail and disappear"
truncate -s 64M "$WORK/disk.img" || die "cannot create the 64 MiB image"
head -c 64 /dev/urandom >"$WORK/key"
dev=$(losetup -f) || die "no free loop device"
losetup "$dev" "$WORK/disk.img" || die "losetup $dev failed"
cryptsetup open --type plain --batch-mode --cipher aes-xts-plain64 \
	--key-size 512 --key-file "$WORK/key" "$dev" "$NAME" ||
	die "plain dm-crypt open failed"
mkfs.ext4 -q -F "/dev/mapper/$NAME" >/dev/null 2>&1 || die "mkfs.ext4 failed"
mkdir -p "$MNT"
mount -t ext4 "/dev/mapper/$NAME" "$MNT" || die "mounting ext4 failed"

i=0
while [ $i -lt 4 ]; do
	head -c 262144 /dev/urandom >"$WORK/src$i"
	sum "$WORK/src$i" >"$WORK/src$i.sum"
	i=$((i + 1))
done

# direct_writer: O_DIRECT writes of 256 KiB, each read back and compared;
# stops at the first error.
direct_writer() {
	n=0
	while [ ! -e "$WORK/stop" ]; do
		s=$((n % 4))
		f=$MNT/direct$((n % 8))
		if ! dd if="$WORK/src$s" of="$f" bs=64k oflag=direct conv=fsync 2>/dev/null; then
			echo "direct write $n ($f)" >>"$WORK/io-errors"
			break
		elif [ "$(dd if="$f" bs=64k iflag=direct 2>/dev/null | sum)" != "$(cat "$WORK/src$s.sum")" ]; then
			echo "direct read-back $n ($f)" >>"$WORK/mismatch"
			break
		fi
		n=$((n + 1))
	done
	echo "$n" >"$WORK/direct.count"
}

# buffered_writer: copies through the page cache and sync; the checksum
# each file must end with is checked after umount and fsck; stops at the
# first error.
buffered_writer() {
	n=0
	while [ ! -e "$WORK/stop" ]; do
		s=$((n % 4))
		f=buf$((n % 6))
		if cp "$WORK/src$s" "$MNT/$f" && sync; then
			cp "$WORK/src$s.sum" "$WORK/$f.want"
		else
			echo "buffered write $n ($f)" >>"$WORK/io-errors"
			break
		fi
		n=$((n + 1))
	done
	echo "$n" >"$WORK/buffered.count"
}

# The fault devices' own counters: sysfs restarts from 0 when a device
# registers again.
processed() {
	_p=0
	for _f in $FAULTDEVS; do
		_p=$((_p + $(cat "$DBG/$_f/processed")))
	done
	echo "$_p"
}
BEFORE=$(processed)
direct_writer &
buffered_writer &
WRITERS=1
sleep 1

echo "  faultdev1: broken and online $FLIPS times"
n=0
while [ $n -lt "$FLIPS" ]; do
	set_state faultdev1 broken
	sleep 0.2
	set_state faultdev1 online
	sleep 0.2
	n=$((n + 1))
done

if [ "$RETRY" = 1 ]; then
	echo "  faultdev0: fail_start for 3 s"
	fs0=$(cat "$DBG/faultdev0/failed_start")
	set_mode faultdev0 fail_start
	sleep 3
	set_mode faultdev0 none
	fs1=$(cat "$DBG/faultdev0/failed_start")
	echo "  faultdev0 failed $((fs1 - fs0)) requests before start"
	# Eight requests in a row not started: acrypto marks it broken.
	expect "faultdev0 marked broken by its failures" \
		"$(cat "$SYS/faultdev0/state")" broken
	set_state faultdev0 online

	if [ -d "$DBG/faultdev0/fail_start" ]; then
		echo "  faultdev0: fault-injection framework fails 20% before start, 3 s"
		a=$DBG/faultdev0/fail_start
		echo 0 >"$a/verbose"
		echo 1 >"$a/interval"
		echo -1 >"$a/times"
		echo 20 >"$a/probability"
		sleep 3
		echo 0 >"$a/probability"
		fs2=$(cat "$DBG/faultdev0/failed_start")
		if [ $((fs2 - fs1)) -gt 0 ]; then
			ok "faultdev0 failed $((fs2 - fs1)) requests before start at random"
		else
			fail "the fault-injection framework failed no request of faultdev0"
		fi
		set_state faultdev0 online
	else
		echo "  (no fault_attr knobs: kernel without FAULT_INJECTION_DEBUG_FS)"
	fi
fi

echo "  faultdev0: stall for 1 s"
set_mode faultdev0 stall
sleep 1
echo "  faultdev0 holds $(cat "$DBG/faultdev0/stalled") stalled requests"
set_mode faultdev0 none

if [ "$RETRY" = 1 ]; then
	echo "  faultdev1: disappear and come back"
	set_mode faultdev1 disappear
	wait_registered faultdev1 N || fail "faultdev1 did not unregister within 30 s"
	[ -d "$SYS/faultdev1" ] && fail "faultdev1 still in sysfs after disappearing"
	sleep 1
	set_mode faultdev1 none
	wait_registered faultdev1 Y || fail "faultdev1 did not register again within 30 s"
	[ -d "$SYS/faultdev1" ] || fail "faultdev1 not in sysfs after coming back"
	sleep 1
fi

touch "$WORK/stop"
wait
WRITERS=
echo "  writers: $(cat "$WORK/direct.count") direct and $(cat "$WORK/buffered.count") buffered rounds"
show_devices

expect "no I/O error reported to the writers" \
	"$(head -3 "$WORK/io-errors" 2>/dev/null)" ""
expect "O_DIRECT data read back intact" \
	"$(head -3 "$WORK/mismatch" 2>/dev/null)" ""
errs=$(dmesg | tail -n +$((DMESG0 + 1)) | grep -E 'I/O error|Buffer I/O error' | head -3)
expect "no I/O error in the kernel log" "$errs" ""
p=$(($(processed) - BEFORE))
if [ "$p" -gt 0 ]; then
	ok "the fault-injection devices processed $p requests"
else
	fail "the fault-injection devices processed no request"
fi

umount "$MNT" || fail "umount failed"
if e2fsck -f -n "/dev/mapper/$NAME" >"$WORK/fsck.out" 2>&1; then
	ok "ext4 clean (e2fsck -f -n)"
else
	cat "$WORK/fsck.out"
	fail "e2fsck found errors"
fi
mount -t ext4 -o ro "/dev/mapper/$NAME" "$MNT" || die "remount failed"
bad=
for w in "$WORK"/buf*.want; do
	[ -f "$w" ] || continue
	f=${w##*/}
	f=${f%.want}
	[ "$(sum "$MNT/$f")" = "$(cat "$w")" ] || bad="$bad $f"
done
expect "buffered files match their checksums" "$bad" ""
umount "$MNT"

echo "part 2: every device broken, I/O must not hang"
for d in $CPUS $FAULTDEVS; do
	set_state "$d" broken
done
head -c 4194304 /dev/urandom >"$WORK/pattern"
# In the background, so that a hang cannot hold the test up for good.
(
	timeout -s KILL "$IO_TIMEOUT" dd if="$WORK/pattern" of="/dev/mapper/$NAME" \
		bs=64k oflag=direct conv=fsync 2>"$WORK/dd.err"
	echo $? >"$WORK/dd.rc"
) &
n=0
while [ ! -f "$WORK/dd.rc" ] && [ $n -lt $(((IO_TIMEOUT + 10) * 10)) ]; do
	sleep 0.1
	n=$((n + 1))
done
if [ ! -f "$WORK/dd.rc" ]; then
	fail "a write with every device broken did not finish within $((IO_TIMEOUT + 10)) s"
	# Let the devices take over whatever is stuck, then give up.
	for d in $CPUS $FAULTDEVS; do
		set_state "$d" online
	done
	exit 1
fi
rc=$(cat "$WORK/dd.rc")
out=$(sed -n 's/^\([0-9]*\)+[0-9]* records out.*/\1/p' "$WORK/dd.err")
out=${out:-0}
if [ "$rc" = 0 ]; then
	ok "write with every device broken finished: succeeded ($out blocks of 64 KiB; software fallback)"
else
	ok "write with every device broken finished: failed with status $rc after $out blocks ($(head -1 "$WORK/dd.err"))"
fi
show_devices
if [ "$out" -gt 0 ]; then
	got=$(dd if="/dev/mapper/$NAME" bs=64k count="$out" iflag=direct 2>/dev/null | sum)
	want=$(head -c $((out * 65536)) "$WORK/pattern" | sum)
	expect "the $out blocks reported written read back, devices broken" "$got" "$want"
fi
for d in $CPUS $FAULTDEVS; do
	set_state "$d" online
done
if [ "$out" -gt 0 ]; then
	got=$(dd if="/dev/mapper/$NAME" bs=64k count="$out" iflag=direct 2>/dev/null | sum)
	expect "the $out blocks reported written read back, devices online" "$got" "$want"
fi

echo "part 3: faultdev0 alone, processing in part then failing (fail_partial)"
head -c 1048576 /dev/urandom >"$WORK/partial"
dd if="$WORK/partial" of="/dev/mapper/$NAME" bs=64k oflag=direct conv=fsync \
	2>/dev/null || fail "writing the part 3 pattern failed"
for d in $CPUS $FAULTDEVS; do
	[ "$d" = faultdev0 ] || set_state "$d" broken
done
set_mode faultdev0 fail_partial
p0=$(cat "$DBG/faultdev0/failed_partial")
if timeout -s KILL "$IO_TIMEOUT" dd if="/dev/mapper/$NAME" of=/dev/null bs=64k \
	count=16 iflag=direct 2>"$WORK/dd.err"; then
	fail "a read whose requests were processed in part and failed succeeded"
else
	ok "the read fails with an error instead of a silent retry: $(head -1 "$WORK/dd.err")"
fi
p=$(($(cat "$DBG/faultdev0/failed_partial") - p0))
if [ "$p" -gt 0 ]; then
	ok "faultdev0 failed $p requests after processing them"
else
	fail "faultdev0 failed no request in fail_partial mode"
fi
set_mode faultdev0 none
for d in $CPUS $FAULTDEVS; do
	set_state "$d" online
done
got=$(dd if="/dev/mapper/$NAME" bs=64k count=16 iflag=direct 2>/dev/null | sum)
expect "the part 3 pattern reads back intact once restored" "$got" \
	"$(sum "$WORK/partial")"
rm -f "$WORK/partial"

cryptsetup close "$NAME" || fail "close failed"
losetup -d "$dev"
dev=
if [ -n "${LOADED:-}" ]; then
	if timeout -s KILL 60 rmmod acrypto_faultdev; then
		ok "acrypto_faultdev removed"
	else
		fail "rmmod acrypto_faultdev failed or hung"
	fi
	LOADED=
fi
finish
