#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A tfm bound to one device, used from userspace: a dm-crypt mapping
# created with dmsetup whose cipher is acrypto_bind(cpu1,cbc(aes)), the
# template that binds every tfm of the instance to the device cpu1.
#
# 4 MiB are written and read back with O_DIRECT: the data must be
# intact, cpu1 must have completed at least one request per sector each
# way, and the other devices none. Then cpu1 is marked broken: reading
# must fail (bound requests end with -ENODEV rather than move), with no
# request on the other devices; once cpu1 is online again the data reads
# back unchanged. A device that does not exist is refused when the
# mapping is created.

. /tests/testlib

need_cmd dmsetup losetup dd cmp

[ -c /dev/mapper/control ] || die "no /dev/mapper/control (device mapper missing)"
[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
BOUND=cpu1
D=/sys/kernel/acrypto/devices
[ -d "$D/$BOUND" ] || skip "no acrypto device $BOUND (one CPU?)"
tr ' ' '\n' <"$D/$BOUND/algorithms" | grep -qx 'cbc(aes)' || skip "$BOUND does not serve cbc(aes)"

SECTORS=8192	# 4 MiB of 512-byte sectors: one crypto request each
KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

# others: requests completed by all devices but $BOUND.
others() {
	_n=0
	for _d in "$D"/*; do
		[ "${_d##*/}" = "$BOUND" ] && continue
		_n=$((_n + $(cat "$_d/completed")))
	done
	echo "$_n"
}
bound() {
	cat "$D/$BOUND/completed"
}

truncate -s 8M "$WORK/bind.img" || die "cannot create the image"
dev=$(losetup -f) || die "no free loop device"
losetup "$dev" "$WORK/bind.img" || die "losetup failed"
size=$(($(blockdev --getsz "$dev" 2>/dev/null || echo 16384)))

if dmsetup create bind-none --table \
	"0 $size crypt capi:acrypto_bind(no-such-device,cbc(aes))-plain64 $KEY 0 $dev 0" \
	2>"$WORK/bind.err"; then
	dmsetup remove bind-none
	fail "a mapping bound to a device that does not exist was created"
else
	ok "binding to a device that does not exist is refused: $(tail -1 "$WORK/bind.err")"
fi

dmsetup create bind-test --table \
	"0 $size crypt capi:acrypto_bind($BOUND,cbc(aes))-plain64 $KEY 0 $dev 0" ||
	{ losetup -d "$dev"; die "dmsetup create failed"; }
# Without udev, make sure the node exists: dd would create a plain file.
dmsetup mknodes bind-test
[ -b /dev/mapper/bind-test ] || die "no block device /dev/mapper/bind-test"
drv=$(awk -F' *: ' -v b="$BOUND" '$1 == "driver" && index($2, "acrypto_bind(" b ",") == 1 { print $2; exit }' /proc/crypto)
if [ -n "$drv" ]; then
	ok "/proc/crypto lists $drv"
else
	fail "no acrypto_bind($BOUND,...) instance in /proc/crypto"
fi

head -c $((SECTORS * 512)) /dev/urandom >"$WORK/bind.data"
b0=$(bound) o0=$(others)
dd if="$WORK/bind.data" of=/dev/mapper/bind-test bs=64k oflag=direct \
	2>/dev/null || fail "write failed"
dd if=/dev/mapper/bind-test of="$WORK/bind.back" bs=64k \
	count=$((SECTORS / 128)) iflag=direct 2>/dev/null || fail "read failed"
db=$(($(bound) - b0)) do=$(($(others) - o0))
echo "  $BOUND completed +$db, the other devices +$do"
if cmp -s "$WORK/bind.data" "$WORK/bind.back"; then
	ok "4 MiB read back unchanged through the bound tfm"
else
	fail "data read back differs"
fi
if [ "$db" -ge $((2 * SECTORS)) ]; then
	ok "$BOUND completed $db requests (>= $((2 * SECTORS)))"
else
	fail "$BOUND completed only $db requests, expected at least $((2 * SECTORS))"
fi
expect "requests on the other devices" "$do" 0

echo broken >"$D/$BOUND/state" || fail "cannot mark $BOUND broken"
o0=$(others)
if dd if=/dev/mapper/bind-test of=/dev/null bs=64k count=16 iflag=direct \
	2>/dev/null; then
	fail "reading through a broken bound device succeeded"
else
	ok "reading through the broken bound device fails"
fi
expect "requests moved to the other devices" "$(($(others) - o0))" 0
echo online >"$D/$BOUND/state" || fail "cannot bring $BOUND back online"

dd if=/dev/mapper/bind-test of="$WORK/bind.back" bs=64k \
	count=$((SECTORS / 128)) iflag=direct 2>/dev/null || fail "read failed"
if cmp -s "$WORK/bind.data" "$WORK/bind.back"; then
	ok "with $BOUND online again the data reads back unchanged"
else
	fail "data read back after recovery differs"
fi

dmsetup remove bind-test || fail "dmsetup remove failed"
losetup -d "$dev"
rm -f "$WORK/bind.img" "$WORK/bind.data" "$WORK/bind.back" "$WORK/bind.err"
finish
