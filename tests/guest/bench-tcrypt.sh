#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Throughput benchmark with the kernel's tcrypt (mode=600: multibuffer
# skcipher speed, sizes 16..4096 bytes, 1 s per size), run by
# scripts/bench, not part of "all". Each run is framed by
#
#	BENCH-BEGIN <label> alg=<alg> num_mb=<n> round=<r>
#	... tcrypt's "test N (K bit key, S byte blocks): X operations in
#	    T seconds (B bytes)" lines ...
#	BENCH-END
#
# for the host to tabulate. BENCH_ALGS (from the kernel command line or
# the environment) lists label=driver[@N][+spread][+poll] entries; by
# default the direct AES-NI implementation, cryptd over it, and the
# acrypto frontend with one CPU device (@1: the devices of the other CPUs
# are marked broken for the run), with all of them, with all of them and
# every request of a caller with requests in flight offered to the
# scheduler whatever its size (+spread: acrypto.spread_min=0), and the
# same with the workers of idle CPU devices polling for requests (+poll:
# acrypto_cpu.poll_us=BENCH_POLL_US, default 1000). tcrypt runs pinned to
# CPU 0 for every entry, so that all of them start from the same place.
# BENCH_ROUNDS (default 1) repeats the whole list, so that every round
# measures all entries close together in time.
#
# Run by a UML kernel (scripts/bench --uml) it is given BENCH_DIRECT, the
# implementation the others are built on, BENCH_TESTLIB, where testlib
# is, and BENCH_MODPROBE, how to load tcrypt.

. "${BENCH_TESTLIB:-/tests/testlib}"

D=${BENCH_DIRECT:-cbc-aes-aesni}
MB_LIST=${BENCH_MB:-"1 8"}
ALGS=${BENCH_ALGS:-"direct=$D cryptd=cryptd($D) acrypto-1=acrypto($D)@1 acrypto-$(nproc)=acrypto($D) acrypto-$(nproc)-spread=acrypto($D)+spread acrypto-$(nproc)-poll=acrypto($D)+spread+poll"}
POLL_US=${BENCH_POLL_US:-1000}
SECS=${BENCH_SECS:-1}
ROUNDS=${BENCH_ROUNDS:-1}
MODPROBE=${BENCH_MODPROBE:-modprobe}

has_driver() {
	awk -F' *: ' -v d="$1" '$1 == "driver" && $2 == d { f = 1 }
		END { exit !f }' /proc/crypto
}

[ "$D" = cbc-aes-aesni ] && ! has_driver "$D" && modprobe aesni-intel 2>/dev/null
has_driver "$D" || skip "no $D (the CPU model lacks AES-NI?)"

# devices N: keep the acrypto devices of CPUs 0..N-1 online, break the rest.
devices() {
	for d in /sys/kernel/acrypto/devices/cpu*; do
		[ -d "$d" ] || continue
		n=${d##*/cpu}
		if [ "$n" -lt "$1" ]; then
			echo online >"$d/state"
		else
			echo broken >"$d/state"
		fi
	done
}

round=1
while [ "$round" -le "$ROUNDS" ]; do
	for mb in $MB_LIST; do
		for pair in $ALGS; do
			label=${pair%%=*}
			alg=${pair#*=}
			ndev=$(nproc)
			spread=
			poll=
			case $alg in
			*+poll) poll=$POLL_US; alg=${alg%+poll} ;;
			esac
			case $alg in
			*+spread) spread=0; alg=${alg%+spread} ;;
			esac
			case $alg in
			*@*) ndev=${alg##*@}; alg=${alg%@*} ;;
			esac
			pparam=/sys/module/acrypto_cpu/parameters/poll_us
			if [ -n "$poll" ] && [ ! -w "$pparam" ]; then
				echo "no $pparam: $label skipped"
				continue
			fi
			case $alg in
			acrypto\(*)
				[ -d /sys/kernel/acrypto ] ||
					{ echo "no acrypto: $label skipped"; continue; }
				devices "$ndev" ;;
			esac
			param=/sys/module/acrypto/parameters/spread_min
			[ -n "$spread" ] && { saved=$(cat $param); echo "$spread" >$param; }
			[ -n "$poll" ] && { psaved=$(cat $pparam); echo "$poll" >$pparam; }
			dmesg -c >/dev/null
			echo "BENCH-BEGIN $label alg=$alg num_mb=$mb round=$round"
			# tcrypt always fails to load on purpose once it has run.
			taskset 1 $MODPROBE tcrypt mode=600 alg="$alg" klen=16 sec="$SECS" num_mb="$mb" 2>/dev/null
			devices "$(nproc)"
			[ -n "$spread" ] && echo "$saved" >$param
			[ -n "$poll" ] && echo "$psaved" >$pparam
			n=$(dmesg | grep -c 'operations in')
			dmesg | sed -n 's/^\[[^]]*\] //; /testing speed\|operations in/p'
			echo "BENCH-END"
			if [ "$n" -gt 0 ]; then
				ok "$label num_mb=$mb round $round: $n measurements"
			else
				fail "$label num_mb=$mb round $round: tcrypt printed no measurement"
			fi
		done
	done
	round=$((round + 1))
done
finish
