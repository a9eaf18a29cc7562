#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# AF_ALG through libkcapi's command line tools: known-answer vectors for
# ecb(aes), cbc(aes), ctr(aes), xts(aes), gcm(aes), sha256, hmac(sha256),
# decryption back to the plaintext, and bulk encryptions (1 MiB cbc, 64 KiB
# xts) whose SHA-256 is compared to values computed on the host with an
# independent implementation (Python cryptography).
#
# Vectors: FIPS-197 C.1/C.3 (ecb), SP 800-38A F.2.1/F.5.1 (cbc, ctr),
# IEEE 1619 vector 2 (xts), GCM spec test case 4 (gcm), FIPS 180-2 "abc"
# (sha256), RFC 4231 test case 2 (hmac).

. /tests/testlib

need_cmd kcapi-enc kcapi-dgst xxd sha256sum

# enc OP CIPHER KEYHEX IVHEX INFILE OUTFILE [kcapi-enc options]
# kcapi-enc sends a file in requests of 64 KiB (16 pages), chaining the IV
# the algorithm hands back: defined for cbc and ctr, not for xts.
enc() {
	op=$1 c=$2 k=$3 iv=$4 in=$5 out=$6
	shift 6
	hex2bin "$k" >"$WORK/key"
	rm -f "$out"
	if [ -n "$iv" ]; then
		set -- --iv "$iv" "$@"
	fi
	kcapi-enc -q "$op" -c "$c" --keyfd 3 -i "$in" -o "$out" "$@" \
		3<"$WORK/key"
}

# kat CIPHER KEYHEX IVHEX PTHEX CTHEX: encrypt and decrypt one vector.
kat() {
	c=$1 k=$2 iv=$3 pt=$4 ct=$5
	hex2bin "$pt" >"$WORK/pt"
	rm -f "$WORK/ct" "$WORK/dec"
	if ! enc -e "$c" "$k" "$iv" "$WORK/pt" "$WORK/ct"; then
		fail "$c: kcapi-enc encryption failed"
		return
	fi
	expect "$c encrypt ($((${#pt} / 2)) bytes)" "$(bin2hex "$WORK/ct")" "$ct"
	hex2bin "$ct" >"$WORK/ct"
	if ! enc -d "$c" "$k" "$iv" "$WORK/ct" "$WORK/dec" --nounpad; then
		fail "$c: kcapi-enc decryption failed"
		return
	fi
	expect "$c decrypt" "$(bin2hex "$WORK/dec")" "$pt"
}

echo "AF_ALG skcipher known answers"
kat "ecb(aes)" 000102030405060708090a0b0c0d0e0f "" \
	00112233445566778899aabbccddeeff \
	69c4e0d86a7b0430d8cdb78070b4c55a
kat "ecb(aes)" 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f "" \
	00112233445566778899aabbccddeeff \
	8ea2b7ca516745bfeafc49904b496089
SP800_38A_PT=6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710
kat "cbc(aes)" 2b7e151628aed2a6abf7158809cf4f3c 000102030405060708090a0b0c0d0e0f \
	"$SP800_38A_PT" \
	7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7
kat "ctr(aes)" 2b7e151628aed2a6abf7158809cf4f3c f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff \
	"$SP800_38A_PT" \
	874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee
kat "xts(aes)" 1111111111111111111111111111111122222222222222222222222222222222 \
	33333333330000000000000000000000 \
	4444444444444444444444444444444444444444444444444444444444444444 \
	c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0

echo "AF_ALG aead known answer"
GCM_K=feffe9928665731c6d6a8f9467308308
GCM_IV=cafebabefacedbaddecaf888
GCM_AAD=feedfacedeadbeeffeedfacedeadbeefabaddad2
GCM_PT=d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
GCM_CT=42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091
GCM_TAG=5bc94fbc3221a5db94fae95ae7121a47
# AF_ALG AEAD output carries the AAD in front: AAD || CT || tag (encrypt),
# AAD || PT (decrypt).
hex2bin "$GCM_PT" >"$WORK/pt"
if enc -e "gcm(aes)" "$GCM_K" "$GCM_IV" "$WORK/pt" "$WORK/ct" \
	--aad "$GCM_AAD" --taglen 16; then
	expect "gcm(aes) encrypt + tag" "$(bin2hex "$WORK/ct")" "$GCM_AAD$GCM_CT$GCM_TAG"
else
	fail "gcm(aes): kcapi-enc encryption failed"
fi
hex2bin "$GCM_CT" >"$WORK/ct"
if enc -d "gcm(aes)" "$GCM_K" "$GCM_IV" "$WORK/ct" "$WORK/dec" \
	--aad "$GCM_AAD" --tag "$(corrupt "$GCM_TAG")"; then
	expect "gcm(aes) decrypt + verify" "$(bin2hex "$WORK/dec")" "$GCM_AAD$GCM_PT"
else
	fail "gcm(aes): decryption of the vector failed (tag rejected?)"
fi
# A wrong tag must be rejected.
if enc -d "gcm(aes)" "$GCM_K" "$GCM_IV" "$WORK/ct" "$WORK/dec" \
	--aad "$GCM_AAD" --tag 00000000000000000000000000000000 2>/dev/null; then
	fail "gcm(aes): a wrong tag was accepted"
else
	ok "gcm(aes) rejects a wrong tag"
fi

echo "AF_ALG hash known answers"
printf 'abc' >"$WORK/abc"
expect "sha256(\"abc\")" \
	"$(kcapi-dgst -c sha256 --hex -i "$WORK/abc")" \
	ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
printf 'what do ya want for nothing?' >"$WORK/msg"
printf 'Jefe' >"$WORK/hkey"
expect "hmac(sha256) RFC 4231 case 2" \
	"$(kcapi-dgst -c "hmac(sha256)" --keyfd 3 --hex -i "$WORK/msg" 3<"$WORK/hkey")" \
	5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843

# A fixed text, 16 pages per request.
echo "AF_ALG bulk"
yes 'acrypto known plaintext 0123456789abcdef' | head -c 1048576 >"$WORK/bulk"
expect "bulk plaintext" "$(sha256sum <"$WORK/bulk" | cut -d' ' -f1)" \
	b2b8e0f938a112d5509af22969ac3668a46a06b67a3a2eb3501095531fad40ac
expect "sha256 of the bulk plaintext through AF_ALG" \
	"$(kcapi-dgst -c sha256 --hex -i "$WORK/bulk")" \
	b2b8e0f938a112d5509af22969ac3668a46a06b67a3a2eb3501095531fad40ac
K32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
IV=000102030405060708090a0b0c0d0e0f
# bulk CIPHER KEYHEX BYTES WANT_SHA256
bulk() {
	c=$1 k=$2 n=$3 want=$4
	head -c "$n" "$WORK/bulk" >"$WORK/bulk.pt"
	enc -e "$c" "$k" "$IV" "$WORK/bulk.pt" "$WORK/bulk.ct" ||
		{ fail "$c: bulk encryption failed"; return; }
	expect "$c $n bytes: ciphertext SHA-256" "$(sha256sum <"$WORK/bulk.ct" | cut -d' ' -f1)" "$want"
	enc -d "$c" "$k" "$IV" "$WORK/bulk.ct" "$WORK/bulk.dec" --nounpad ||
		{ fail "$c: bulk decryption failed"; return; }
	if cmp -s "$WORK/bulk.pt" "$WORK/bulk.dec"; then
		ok "$c $n bytes: decrypts to the plaintext"
	else
		fail "$c $n bytes: decryption differs from the plaintext"
	fi
}
bulk "cbc(aes)" "$K32" 1048576 7ae7404a02ad0eab52c5bd674f864de0d42f8fb5883855e8b70a1a6de8e17e02
# One request: the IV handed back by xts is not defined, so no chaining.
# kcapi-enc reads at most 32 key bytes from --keyfd: AES-128-XTS.
bulk "xts(aes)" "$K32" 65536 572ca0c33282c0841e4ade47cc7dbd9bab824e57b1a187eee00603cd7d84f518

# Which implementations served the requests (highest priority wins).
impl "ecb(aes)" "cbc(aes)" "ctr(aes)" "xts(aes)" "gcm(aes)" sha256 "hmac(sha256)"

# AF_ALG binds only to synchronous implementations (AF_ALG_CRYPTOAPI_MASK
# contains CRYPTO_ALG_ASYNC), so it never gets an acrypto frontend, which
# is asynchronous: with acrypto in the kernel the vectors above must still
# pass, on the implementation the CPU devices run.
finish
