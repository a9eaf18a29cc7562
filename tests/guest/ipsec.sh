#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# IPsec ESP between two network namespaces joined by a veth pair, set up
# by hand with ip xfrm (no IKE):
#   - transport mode, authenc(hmac(sha256),cbc(aes)) (auth-trunc + enc)
#   - tunnel mode, rfc4106(gcm(aes)) (aead)
# Each time pings of several sizes must all come back, every SA's packet
# counter (ip -s xfrm state) must have grown by at least the number of
# pings (so the traffic was ESP: the policies also drop anything else) and
# the XFRM error counters must not grow. Then the receiver gets a wrong
# key: pings must fail and be counted as ESP protocol errors, which shows
# the packets really are authenticated and decrypted.
#
# Addresses (192.0.2.0/24, documentation range) exist only inside the
# namespaces.

. /tests/testlib

ACRYPTO_BEFORE=$(acrypto_done)

need_cmd ip ping

NA=acr-a
NB=acr-b
A=192.0.2.1
B=192.0.2.2
SPI_AB=0x1001
SPI_BA=0x1002

inA() { ip netns exec $NA "$@"; }
inB() { ip netns exec $NB "$@"; }

cleanup() {
	ip netns del $NA 2>/dev/null
	ip netns del $NB 2>/dev/null
}
trap cleanup EXIT

ip netns add $NA || die "ip netns add failed (CONFIG_NET_NS?)"
ip netns add $NB || die "ip netns add failed"
ip link add va netns $NA type veth peer name vb netns $NB ||
	die "cannot create the veth pair (CONFIG_VETH?)"
inA ip addr add $A/24 dev va
inB ip addr add $B/24 dev vb
inA ip link set lo up
inB ip link set lo up
inA ip link set va up
inB ip link set vb up

# pings NS DST COUNT SIZE: all COUNT echo requests answered?
pings() {
	out=$(ip netns exec "$1" ping -A -c "$3" -s "$4" -W 2 "$2" 2>&1)
	echo "$out" | grep -q "$3 packets transmitted, $3 packets received"
}

# packets NS SRC DST SPI: the SA's lifetime packet counter.
packets() {
	ip netns exec "$1" ip -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
		sed -n '/lifetime current:/{n;s/.*, *\([0-9]*\)(packets).*/\1/p;}'
}

# xfrm_snap NS: remember /proc/net/xfrm_stat of NS.
xfrm_snap() {
	ip netns exec "$1" cat /proc/net/xfrm_stat >"$WORK/xfrm_stat.$1"
}

# xfrm_errors NS: the XFRM error counters that grew since xfrm_snap NS.
xfrm_errors() {
	ip netns exec "$1" cat /proc/net/xfrm_stat |
		awk 'NR == FNR { b[$1] = $2; next }
		     $2 > b[$1] + 0 { printf "%s +%d ", $1, $2 - b[$1] }' \
			"$WORK/xfrm_stat.$1" -
}

# Connectivity without IPsec first, so a failure below is IPsec's.
pings $NA $B 2 56 || die "no connectivity over the veth pair without IPsec"
ok "plain ping over veth"

# sa_add MODE ALGO...: the SAs A->B and B->A in both namespaces.
sa_add() {
	mode=$1
	shift
	for ns in $NA $NB; do
		ip netns exec "$ns" ip xfrm state add src $A dst $B proto esp \
			spi $SPI_AB reqid 1 mode "$mode" "$@" || return 1
		ip netns exec "$ns" ip xfrm state add src $B dst $A proto esp \
			spi $SPI_BA reqid 2 mode "$mode" "$@" || return 1
	done
}

# pol_add MODE: require ESP for everything between A and B, both ways.
pol_add() {
	mode=$1
	inA ip xfrm policy add src $A/32 dst $B/32 dir out \
		tmpl src $A dst $B proto esp reqid 1 mode "$mode" || return 1
	inA ip xfrm policy add src $B/32 dst $A/32 dir in \
		tmpl src $B dst $A proto esp reqid 2 mode "$mode" || return 1
	inB ip xfrm policy add src $B/32 dst $A/32 dir out \
		tmpl src $B dst $A proto esp reqid 2 mode "$mode" || return 1
	inB ip xfrm policy add src $A/32 dst $B/32 dir in \
		tmpl src $A dst $B proto esp reqid 1 mode "$mode" || return 1
}

flush() {
	for ns in $NA $NB; do
		ip netns exec "$ns" ip xfrm policy flush
		ip netns exec "$ns" ip xfrm state flush
	done
}

# esp NAME MODE ALGO...: one configuration, checked end to end.
esp() {
	what=$1 mode=$2
	shift 2
	echo "ESP $mode mode, $what"
	flush
	xfrm_snap $NA
	xfrm_snap $NB
	sa_add "$mode" "$@" || { fail "$what: ip xfrm state add failed"; return; }
	pol_add "$mode" || { fail "$what: ip xfrm policy add failed"; return; }
	inA ip -s xfrm state get src $A dst $B proto esp spi $SPI_AB | sed 's/0x[0-9a-f]\{16,\}/<key>/' | head -4

	n=0
	for size in 56 1000 1400; do
		if pings $NA $B 4 $size; then
			ok "$what: 4 pings of $size bytes answered"
		else
			echo "$out"
			fail "$what: pings of $size bytes lost"
		fi
		n=$((n + 4))
	done
	# The harness's self-check (ACRYPTO_CORRUPT) asks for the impossible.
	min=$n
	[ -n "${ACRYPTO_CORRUPT:-}" ] && min=$((n * 1000))
	for sa in "$NA $A $B $SPI_AB" "$NA $B $A $SPI_BA" \
		  "$NB $A $B $SPI_AB" "$NB $B $A $SPI_BA"; do
		# shellcheck disable=SC2086
		p=$(packets $sa)
		# shellcheck disable=SC2086
		set -- $sa
		if [ "${p:-0}" -ge "$min" ]; then
			ok "$what: SA $2->$3 in $1 carried $p packets (>= $min)"
		else
			fail "$what: SA $2->$3 in $1 carried ${p:-no} packets, expected >= $min"
		fi
	done
	for ns in $NA $NB; do
		e=$(xfrm_errors "$ns")
		if [ -z "$e" ]; then
			ok "$what: no XFRM errors in $ns"
		else
			fail "$what: XFRM errors in $ns: $e"
		fi
	done
}

# wrongkey MODE ALGO...: B gets another key for A->B; nothing may pass.
wrongkey() {
	mode=$1
	shift
	before=$(inB cat /proc/net/xfrm_stat | awk '$1 == "XfrmInStateProtoError" { print $2 }')
	inB ip xfrm state del src $A dst $B proto esp spi $SPI_AB
	inB ip xfrm state add src $A dst $B proto esp spi $SPI_AB reqid 1 \
		mode "$mode" "$@" || { fail "wrong key: state add failed"; return; }
	if pings $NA $B 2 56; then
		fail "pings pass although the receiver has the wrong key"
	else
		ok "pings fail when the receiver has the wrong key"
	fi
	after=$(inB cat /proc/net/xfrm_stat | awk '$1 == "XfrmInStateProtoError" { print $2 }')
	if [ "${after:-0}" -ge $((${before:-0} + 2)) ]; then
		ok "receiver counted ESP integrity failures (XfrmInStateProtoError $before -> $after)"
	else
		fail "receiver did not count ESP integrity failures (XfrmInStateProtoError $before -> $after)"
	fi
}

HMAC_KEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
AES_KEY=0x202122232425262728292a2b2c2d2e2f
GCM_KEY=0x303132333435363738393a3b3c3d3e3f40414243

esp "authenc(hmac(sha256),cbc(aes))" transport \
	auth-trunc "hmac(sha256)" $HMAC_KEY 128 enc "cbc(aes)" $AES_KEY
wrongkey transport \
	auth-trunc "hmac(sha256)" "0x$(echo "${HMAC_KEY#0x}" | tr 0-9 1-90)" 128 enc "cbc(aes)" $AES_KEY

esp "rfc4106(gcm(aes))" tunnel \
	aead "rfc4106(gcm(aes))" $GCM_KEY 128
wrongkey tunnel \
	aead "rfc4106(gcm(aes))" "0x$(echo "${GCM_KEY#0x}" | tr 0-9 1-90)" 128

impl "echainiv(authenc(hmac(sha256),cbc(aes)))" "seqiv(rfc4106(gcm(aes)))"
flush
through_acrypto IPsec "$ACRYPTO_BEFORE" "cbc(aes)"
finish
