#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The algorithms of the CPU devices changed at runtime through
# /sys/module/acrypto_cpu/parameters/algs, while dm-crypt (cbc(aes))
# keeps writing with O_DIRECT:
#
# - a list naming an algorithm without an implementation is refused and
#   changes nothing;
# - adding xctr(aes) creates its pool with every CPU device and registers
#   its acrypto frontend;
# - taking cbc(aes) out leaves its pool without CPU devices while the
#   mapping keeps working (the frontend's software fallback);
# - the original list back, the CPU devices run the mapping's requests
#   again.
#
# Every write must succeed and the data read back must be what was
# written.

. /tests/testlib

need_cmd dmsetup losetup dd cmp

P=/sys/module/acrypto_cpu/parameters/algs
POOLS=/sys/kernel/acrypto/pools
MIB=4
[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
[ -w "$P" ] || skip "no writable $P (acrypto_cpu not loaded?)"
[ -c /dev/mapper/control ] || die "no /dev/mapper/control (device mapper missing)"

ORIG=$(cat "$P")
NCPU=$(ls -d /sys/kernel/acrypto/devices/cpu* | wc -l)
echo "  algs: $ORIG; $NCPU CPU devices"
case ",$ORIG," in
*",cbc(aes),"*) ;;
*) skip "the CPU devices do not serve cbc(aes)" ;;
esac

# cpu_members ALG: the CPU devices in the pool of ALG (0 without a pool).
cpu_members() {
	if [ -r "$POOLS/$1/devices" ]; then
		tr ' ' '\n' <"$POOLS/$1/devices" | grep -c '^cpu'
	else
		echo 0
	fi
}

KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
truncate -s $((MIB + 1))M "$WORK/algs.img" || die "cannot create the image"
dev=$(losetup -f) || die "no free loop device"
losetup "$dev" "$WORK/algs.img" || die "losetup failed"
dmsetup create algs-test --table \
	"0 $((MIB * 2048)) crypt capi:cbc(aes)-plain64 $KEY 0 $dev 0" ||
	{ losetup -d "$dev"; die "dmsetup create failed"; }
dmsetup mknodes algs-test
[ -b /dev/mapper/algs-test ] || die "no block device /dev/mapper/algs-test"
head -c $((MIB << 20)) /dev/urandom >"$WORK/algs.data"

start_writer "$WORK/algs.data" /dev/mapper/algs-test
sleep 1

if echo "cbc(aes),no-such-algorithm(aes)" >"$P" 2>"$WORK/algs.err"; then
	fail "a list with an algorithm that does not exist was accepted"
else
	ok "a list with an unknown algorithm is refused: $(tail -1 "$WORK/algs.err")"
fi
expect "the list after the refused write" "$(cat "$P")" "$ORIG"

if echo "$ORIG,xctr(aes)" >"$P"; then
	expect "CPU devices in the xctr(aes) pool" "$(cpu_members "xctr(aes)")" "$NCPU"
	if wait_frontend "xctr(aes)"; then
		ok "xctr(aes) is served by $(best_driver "xctr(aes)")"
	else
		fail "no acrypto frontend for xctr(aes) after adding it"
	fi
else
	fail "adding xctr(aes) to the list failed"
fi

NOCBC=$(echo "$ORIG" | tr ',' '\n' | grep -vx 'cbc(aes)' | paste -sd,)
if echo "$NOCBC" >"$P"; then
	expect "CPU devices in the cbc(aes) pool once it left the list" \
		"$(cpu_members "cbc(aes)")" 0
else
	fail "taking cbc(aes) out of the list failed"
fi
sleep 1

echo "$ORIG" >"$P" || fail "putting the original list back failed"
expect "the list put back" "$(cat "$P")" "$ORIG"
expect "CPU devices in the cbc(aes) pool again" "$(cpu_members "cbc(aes)")" "$NCPU"
expect "CPU devices in the xctr(aes) pool once it left the list" \
	"$(cpu_members "xctr(aes)")" 0
before=$(acrypto_done)
sleep 1
after=$(acrypto_done)
if [ "$after" -gt "$before" ]; then
	ok "the CPU devices completed $((after - before)) requests of the mapping again"
else
	fail "no request reached the CPU devices after the list was put back"
fi

if stop_writer; then
	ok "$WRITER_ROUNDS writes of $MIB MiB through dm-crypt succeeded across the changes"
else
	fail "a write through dm-crypt failed while the list changed"
fi
dd if=/dev/mapper/algs-test of="$WORK/algs.back" bs=64k iflag=direct 2>/dev/null ||
	fail "read back failed"
if cmp -s "$WORK/algs.data" "$WORK/algs.back"; then
	ok "$MIB MiB read back unchanged"
else
	fail "data read back differs"
fi

dmsetup remove algs-test || fail "dmsetup remove failed"
losetup -d "$dev"
rm -f "$WORK/algs.img" "$WORK/algs.data" "$WORK/algs.back" "$WORK/algs.err"
finish
