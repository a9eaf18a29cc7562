#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the KUnit suites built as modules (*_kunit.ko) on the x86_64 guest:
# load each module, read the KTAP it logs, and fail on any "not ok" or on
# a module that ran no case.

. /tests/testlib

kdir=/lib/modules/$(uname -r)
mods=$(find "$kdir" -name '*_kunit.ko*' 2>/dev/null | sort)
[ -n "$mods" ] || skip "no KUnit test modules in $kdir"

for m in $mods; do
	name=${m##*/}
	name=${name%%.ko*}
	dmesg -c >/dev/null
	if ! modprobe "$name"; then
		fail "$name: modprobe failed"
		continue
	fi
	dmesg | sed 's/^\[[^]]*\] //' >ktap
	cases=$(grep -cE '^ +ok [0-9]+ ' ktap)
	bad=$(grep -E '^ *not ok [0-9]+ ' ktap)
	if [ -n "$bad" ]; then
		fail "$name: $(echo "$bad" | tr '\n' ';')"
		grep -E 'EXPECTATION FAILED|ASSERTION FAILED' -A3 ktap
	elif [ "$cases" -eq 0 ]; then
		cat ktap
		fail "$name: no KUnit case ran"
	else
		ok "$name: $cases case(s) passed"
	fi
	modprobe -r "$name" || fail "$name: cannot be unloaded"
done
finish
