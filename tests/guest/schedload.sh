#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A pool's scheduler switched to one whose module is not loaded yet, while
# a change of the CPU devices' algorithms removes that pool and CPU 1 goes
# offline:
#
# - writing the name waits for modprobe, and loading the module takes the
#   CPU hotplug lock (read);
# - the algorithms change holds that lock (read) while the pool's last
#   device goes, which removes the pool's sysfs directory;
# - CPU 1 going offline waits for the lock (write), and from then on
#   holds off new readers, modprobe among them.
#
# If removing the directory waited for the write to its scheduler
# attribute, the three would wait for each other for ever. A modprobe
# wrapper holds the module back until all three are under way: the
# scheduler write waits for modprobe, the algorithms change has taken
# the pool's last device, and the CPU has been asked to go offline. Each
# must then finish and succeed; the pool must be gone, and the
# scheduler's module free to unload (no pool kept a reference to it).
#
# Without CPU hotplug, or with the scheduler modules built in or not
# built, the test is skipped. A failure leaves the guest hung: the
# harness's timeout ends it.

. /tests/testlib

need_cmd modprobe rmmod

P=/sys/module/acrypto_cpu/parameters/algs
POOLS=/sys/kernel/acrypto/pools
CPU1=/sys/devices/system/cpu/cpu1/online
MP=/proc/sys/kernel/modprobe
SCHED=size
MOD=acrypto_sched_size
ALG="xctr(aes)"

[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
[ -w "$P" ] || skip "no writable $P (acrypto_cpu not loaded?)"
[ -w "$CPU1" ] || skip "CPU 1 cannot go offline"
[ "$(cat "$CPU1")" = 1 ] || skip "CPU 1 is offline"
REAL=$(cat "$MP")
[ -x "$REAL" ] || skip "no modprobe at $REAL"
if [ -d /sys/module/$MOD ]; then
	[ -e /sys/module/$MOD/initstate ] ||
		skip "the $SCHED scheduler is built in"
	rmmod $MOD || skip "the $SCHED scheduler is loaded and in use"
fi
grep -q "/acrypto-sched-$SCHED\.ko" "/lib/modules/$(uname -r)/modules.dep" ||
	skip "the $SCHED scheduler is not built as a module"

ORIG=$(cat "$P")
case ",$ORIG," in
*",$ALG,"*) skip "the CPU devices serve $ALG already" ;;
esac

# Put back what the test changed, unless a write is stuck: another
# write would then hang too.
STUCK=
cleanup() {
	echo "$REAL" >"$MP"
	touch "$WORK/sl.go"
	[ -n "$STUCK" ] && return
	[ "$(cat "$CPU1")" = 1 ] || echo 1 >"$CPU1"
	[ "$(cat "$P")" = "$ORIG" ] || echo "$ORIG" >"$P"
	rm -f "$WORK/slow-modprobe" "$WORK"/sl.*
}
trap cleanup EXIT

# wait_for SECS CMD...: until CMD succeeds; fails after SECS seconds.
wait_for() {
	_w_t=$(($1 * 5))
	shift
	while ! "$@"; do
		[ $_w_t -gt 0 ] || return 1
		sleep 0.2
		_w_t=$((_w_t - 1))
	done
}

# The pool has no device left, or its directory is going.
pool_empty() {
	[ -z "$(tr -d ' \n' <"$POOLS/$ALG/devices" 2>/dev/null)" ]
}

all_done() {
	[ -e "$WORK/sl.sched" ] && [ -e "$WORK/sl.algs" ] &&
		[ -e "$WORK/sl.cpu" ]
}

echo "$ORIG,$ALG" >"$P" || die "adding $ALG to the list failed"
[ -d "$POOLS/$ALG" ] || die "no pool for $ALG after adding it"
expect "schedulers of the $ALG pool before the write" \
	"$(grep -c "$SCHED" "$POOLS/$ALG/scheduler")" 0

rm -f "$WORK"/sl.*
{
	echo '#!/bin/sh'
	echo "touch '$WORK/sl.ran'"
	echo 't=0'
	echo "while [ ! -e '$WORK/sl.go' ] && [ \$t -lt 300 ]; do"
	echo '	sleep 0.2'
	echo '	t=$((t + 1))'
	echo 'done'
	echo "exec '$REAL' \"\$@\""
} >"$WORK/slow-modprobe"
chmod 755 "$WORK/slow-modprobe"
echo "$WORK/slow-modprobe" >"$MP" || die "cannot set $MP"

(echo $SCHED >"$POOLS/$ALG/scheduler"; echo $? >"$WORK/sl.sched") \
	2>"$WORK/sl.err" &
wait_for 20 test -e "$WORK/sl.ran" ||
	die "the scheduler write did not run modprobe"
(echo "$ORIG" >"$P"; echo $? >"$WORK/sl.algs") 2>>"$WORK/sl.err" &
wait_for 20 pool_empty ||
	die "the algorithms change did not take the devices of the $ALG pool"
(echo 0 >"$CPU1"; echo $? >"$WORK/sl.cpu") 2>>"$WORK/sl.err" &
sleep 1
touch "$WORK/sl.go"

wait_for 60 all_done || STUCK=1
for w in sched algs cpu; do
	if [ -e "$WORK/sl.$w" ]; then
		expect "exit status of the $w write" "$(cat "$WORK/sl.$w")" 0
	else
		fail "the $w write has not returned after 60 s: deadlock"
	fi
done
[ -s "$WORK/sl.err" ] && echo "  errors: $(cat "$WORK/sl.err")"
if [ -n "$STUCK" ]; then
	ps -o pid,stat,args 2>/dev/null | grep -v ' ps ' | tail -n 20
	finish
fi
ok "scheduler write, algorithms change and CPU offline all returned"

if [ -d "$POOLS/$ALG" ]; then
	fail "the $ALG pool is still there after its last device went"
else
	ok "the $ALG pool went once the scheduler write released it"
fi
expect "the list of algorithms after the change" "$(cat "$P")" "$ORIG"
echo 1 >"$CPU1" || fail "CPU 1 did not come back online"
expect "CPU 1 online again" "$(cat "$CPU1")" 1
if rmmod $MOD; then
	ok "the $SCHED scheduler's module unloads: no pool holds it"
else
	fail "the $SCHED scheduler's module cannot be unloaded"
fi
finish
