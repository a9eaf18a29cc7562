#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What the acrypto frontend adds to each request under QEMU's TCG: loads
# the acrypto_overhead_bench KUnit suite (its benchmark switched on),
# which times batches of cbc(aes) requests through acrypto(cbc-aes-aesni)
# and through cbc-aes-aesni itself, and prints its table with an
# "OVERHEAD " prefix. Run as "scripts/guest bench-overhead", not part of
# "all"; the same suite runs on UML with scripts/bench-latency.

. /tests/testlib

m=acrypto_overhead_bench_kunit
dmesg -c >/dev/null
modprobe "$m" bench=1 || die "$m: modprobe failed"
dmesg | sed 's/^\[[^]]*\] //' >ktap
sed -n 's/.*acrypto_overhead_report: /OVERHEAD /p' ktap
if grep -qE '^ *not ok [0-9]+ ' ktap; then
	grep -E 'EXPECTATION FAILED|ASSERTION FAILED' -A3 ktap
	fail "$m: a case failed"
elif ! grep -q 'acrypto_overhead_report: scenario' ktap; then
	cat ktap
	fail "$m: no table (skipped?)"
else
	ok "$m: table printed"
fi
modprobe -r "$m" || fail "$m: cannot be unloaded"
finish
