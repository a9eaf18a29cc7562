#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dm-crypt through cryptsetup, on loop devices backed by tmpfs files.
#
# 1. LUKS2 with aes-xts-plain64 and with aes-cbc-essiv:sha256: random data
#    written through the mapping, the mapping closed and reopened, the data
#    read back and compared; for xts also ext4 on top, fsck'd after reopen.
# 2. Plain dm-crypt with fixed keys (aes-xts-plain64 with 512- and
#    4096-byte sectors, aes-cbc-essiv:sha256): a fixed 1 MiB text is written
#    and the SHA-256 of the raw backing file, i.e. the ciphertext, is
#    compared to a recorded value. The values were computed on the host
#    with Python cryptography implementing plain64 and ESSIV IVs, and match
#    what the unpatched base kernel writes: ciphertext must stay identical.

. /tests/testlib

ACRYPTO_BEFORE=$(acrypto_done)

need_cmd cryptsetup dmsetup losetup sha256sum mkfs.ext4 e2fsck

[ -c /dev/mapper/control ] || die "no /dev/mapper/control (device mapper missing)"

# Fast PBKDF: this checks the data path, not the key derivation.
PBKDF="--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --hash sha256"

# attach FILE: set up a free loop device on FILE, name it in $dev.
attach() {
	dev=$(losetup -f) || die "no free loop device"
	losetup "$dev" "$1" || die "losetup $dev $1 failed"
}

sum() {
	sha256sum "$@" | cut -d' ' -f1
}

# luks CIPHER KEYBITS [ext4]
luks() {
	c=$1 ks=$2 fs=${3:-}
	name=luks-test
	echo "LUKS2 $c ($ks-bit key)"
	rm -f "$WORK/luks.img"
	truncate -s 64M "$WORK/luks.img" || die "cannot create the 64 MiB image"
	head -c 64 /dev/urandom >"$WORK/luks.key"
	attach "$WORK/luks.img"
	# shellcheck disable=SC2086
	if ! cryptsetup luksFormat --batch-mode --type luks2 --cipher "$c" \
		--key-size "$ks" $PBKDF --key-file "$WORK/luks.key" "$dev"; then
		fail "$c: luksFormat failed"
		losetup -d "$dev"
		return
	fi
	cryptsetup open --key-file "$WORK/luks.key" "$dev" "$name" ||
		{ fail "$c: open failed"; losetup -d "$dev"; return; }
	got=$(dmsetup table "$name" | awk '{ print $4 }')
	expect "$c: dm-crypt table cipher" "$got" "$c"
	# LUKS2 hands the volume key over in the kernel keyring
	# (":<size>:logon:<description>" in place of the key).
	got=$(dmsetup table --showkeys "$name" | awk '{ print $5 }' | cut -d: -f3)
	expect "$c: volume key passed as a logon key (keyring)" "$got" logon

	head -c 8388608 /dev/urandom >"$WORK/data"
	want=$(sum "$WORK/data")
	dd if="$WORK/data" of="/dev/mapper/$name" bs=1M conv=fsync 2>/dev/null ||
		fail "$c: write to the mapping failed"
	got=$(dd if="/dev/mapper/$name" bs=1M count=8 iflag=direct 2>/dev/null | sum)
	expect "$c: 8 MiB read back with O_DIRECT" "$got" "$want"
	cryptsetup close "$name" || fail "$c: close failed"

	cryptsetup open --key-file "$WORK/luks.key" "$dev" "$name" ||
		{ fail "$c: reopen failed"; losetup -d "$dev"; return; }
	got=$(dd if="/dev/mapper/$name" bs=1M count=8 2>/dev/null | sum)
	expect "$c: 8 MiB read back after close and reopen" "$got" "$want"

	if [ -n "$fs" ]; then
		mkfs.ext4 -q -F "/dev/mapper/$name" >/dev/null 2>&1 ||
			fail "$c: mkfs.ext4 failed"
		mkdir -p "$WORK/mnt"
		if mount -t ext4 "/dev/mapper/$name" "$WORK/mnt"; then
			cp "$WORK/data" "$WORK/mnt/data"
			mkdir "$WORK/mnt/dir"
			i=0
			while [ $i -lt 50 ]; do
				echo "file $i" >"$WORK/mnt/dir/f$i"
				i=$((i + 1))
			done
			umount "$WORK/mnt" || fail "$c: umount failed"
			cryptsetup close "$name" || fail "$c: close failed"
			cryptsetup open --key-file "$WORK/luks.key" "$dev" "$name" ||
				die "$c: reopen failed"
			if e2fsck -f -n "/dev/mapper/$name" >"$WORK/fsck.out" 2>&1; then
				ok "$c: ext4 clean after reopen (e2fsck -f -n)"
			else
				cat "$WORK/fsck.out"
				fail "$c: e2fsck found errors"
			fi
			mount -t ext4 -o ro "/dev/mapper/$name" "$WORK/mnt" ||
				die "$c: remount failed"
			expect "$c: file on ext4 after reopen" "$(sum "$WORK/mnt/data")" "$want"
			expect "$c: small files on ext4" \
				"$(cat "$WORK/mnt/dir/f49" "$WORK/mnt/dir/f0")" \
				"$(printf 'file 49\nfile 0')"
			umount "$WORK/mnt"
		else
			fail "$c: mounting ext4 failed"
		fi
	fi
	cryptsetup close "$name" || fail "$c: close failed"
	losetup -d "$dev"
	rm -f "$WORK/luks.img" "$WORK/data"
}

# plain CIPHER KEYHEX SECTOR_SIZE WANT_SHA256: known ciphertext.
plain() {
	c=$1 key=$2 ss=$3 want=$4
	name=plain-kat
	echo "plain dm-crypt $c, $((${#key} * 4))-bit key, $ss-byte sectors"
	rm -f "$WORK/plain.img"
	truncate -s 1M "$WORK/plain.img"
	hex2bin "$key" >"$WORK/plain.key"
	attach "$WORK/plain.img"
	ssopt=
	[ "$ss" = 512 ] || ssopt="--sector-size $ss"
	# shellcheck disable=SC2086
	cryptsetup open --type plain --batch-mode --cipher "$c" \
		--key-size $((${#key} * 4)) --key-file "$WORK/plain.key" \
		$ssopt "$dev" "$name" ||
		{ fail "$c: plain open failed"; losetup -d "$dev"; return; }
	table=$(dmsetup table --showkeys "$name")
	echo "  table: $(echo "$table" | sed "s/$key/<key>/")"
	# The key file must reach dm-crypt as is (no passphrase hashing),
	# or the recorded ciphertext would not say what it should.
	expect "$c: key in the dm-crypt table" "$(echo "$table" | awk '{ print $5 }')" "$key"

	yes 'acrypto known plaintext 0123456789abcdef' | head -c 1048576 >"$WORK/pattern"
	dd if="$WORK/pattern" of="/dev/mapper/$name" bs=64k conv=fsync 2>/dev/null ||
		fail "$c: write failed"
	cryptsetup close "$name" || fail "$c: close failed"
	losetup -d "$dev"
	expect "$c/$ss: ciphertext SHA-256" "$(sum "$WORK/plain.img")" "$want"

	attach "$WORK/plain.img"
	# shellcheck disable=SC2086
	cryptsetup open --type plain --batch-mode --cipher "$c" \
		--key-size $((${#key} * 4)) --key-file "$WORK/plain.key" \
		$ssopt "$dev" "$name" ||
		{ fail "$c: plain reopen failed"; losetup -d "$dev"; return; }
	expect "$c/$ss: decrypts to the plaintext" \
		"$(dd if="/dev/mapper/$name" bs=64k iflag=direct 2>/dev/null | sum)" \
		"$(sum "$WORK/pattern")"
	cryptsetup close "$name"
	losetup -d "$dev"
	rm -f "$WORK/plain.img"
}

luks aes-xts-plain64 512 ext4
luks aes-cbc-essiv:sha256 256
impl "xts(aes)" "essiv(cbc(aes),sha256)"

KEY_XTS=404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
KEY_CBC=808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f
plain aes-xts-plain64 "$KEY_XTS" 512 \
	37e87d057bc82b2f7b97d3d4e29b1101a5bb781f8021cea4b5b6f468f6f81f65
plain aes-xts-plain64 "$KEY_XTS" 4096 \
	8e9106469280e3337e52d51c15caeec1dfac6daf5e818dd3d7349a57f774913f
plain aes-cbc-essiv:sha256 "$KEY_CBC" 512 \
	2c08729a73888e3112068718bdebf58266766007c873074c9183399ed77b5db8

through_acrypto dm-crypt "$ACRYPTO_BEFORE" "xts(aes)" "cbc(aes)"
finish
