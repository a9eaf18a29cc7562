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
# attribute, the three would wait for each other for ever. modprobe is
# made slow (a wrapper that sleeps before it runs the real one) so that
# all three are in place before it loads the module. Each must finish
# and succeed; the pool must then be gone, and the scheduler's module
# free to unload (no pool kept a reference to it).
#
# Without CPU hotplug or with the scheduler modules built in, the test is
# skipped. A failure leaves the guest hung: the harness's timeout ends it.

. /tests/testlib

need_cmd modprobe rmmod

P=/sys/module/acrypto_cpu/parameters/algs
POOLS=/sys/kernel/acrypto/pools
CPU1=/sys/devices/system/cpu/cpu1/online
MP=/proc/sys/kernel/modprobe
SCHED=size
MOD=acrypto_sched_size
ALG="xctr(aes)"
SLEEP=3

[ -d /sys/kernel/acrypto ] || skip "kernel without acrypto"
[ -w "$P" ] || skip "no writable $P (acrypto_cpu not loaded?)"
[ -w "$CPU1" ] || skip "CPU 1 cannot go offline"
[ "$(cat "$CPU1")" = 1 ] || skip "CPU 1 is offline"
if [ -d /sys/module/$MOD ]; then
	[ -e /sys/module/$MOD/initstate ] ||
		skip "the $SCHED scheduler is built in"
	rmmod $MOD || skip "the $SCHED scheduler is loaded and in use"
fi

ORIG=$(cat "$P")
case ",$ORIG," in
*",$ALG,"*) skip "the CPU devices serve $ALG already" ;;
esac
echo "$ORIG,$ALG" >"$P" || die "adding $ALG to the list failed"
[ -d "$POOLS/$ALG" ] || die "no pool for $ALG after adding it"
expect "schedulers of the $ALG pool before the write" \
	"$(grep -c "$SCHED" "$POOLS/$ALG/scheduler")" 0

REAL=$(cat "$MP")
cat >"$WORK/slow-modprobe" <<EOF
#!/bin/sh
sleep $SLEEP
exec $REAL "\$@"
EOF
chmod 755 "$WORK/slow-modprobe"
echo "$WORK/slow-modprobe" >"$MP" || die "cannot set $MP"
rm -f "$WORK/sl.sched" "$WORK/sl.algs" "$WORK/sl.cpu"

# In this order, each one second after the other, all before modprobe
# runs the real modprobe.
(echo $SCHED >"$POOLS/$ALG/scheduler"; echo $? >"$WORK/sl.sched") \
	2>"$WORK/sl.err" &
sleep 1
(echo "$ORIG" >"$P"; echo $? >"$WORK/sl.algs") 2>>"$WORK/sl.err" &
sleep 1
(echo 0 >"$CPU1"; echo $? >"$WORK/sl.cpu") 2>>"$WORK/sl.err" &

t=0
while [ $t -lt 60 ]; do
	[ -e "$WORK/sl.sched" ] && [ -e "$WORK/sl.algs" ] &&
		[ -e "$WORK/sl.cpu" ] && break
	sleep 1
	t=$((t + 1))
done
echo "$REAL" >"$MP"
for w in sched algs cpu; do
	if [ -e "$WORK/sl.$w" ]; then
		expect "exit status of the $w write" "$(cat "$WORK/sl.$w")" 0
	else
		fail "the $w write has not returned after $t s: deadlock"
	fi
done
[ -s "$WORK/sl.err" ] && echo "  errors: $(cat "$WORK/sl.err")"
if [ "$NFAIL" -gt 0 ]; then
	ps -o pid,stat,args 2>/dev/null | grep -v ' ps ' | tail -n 20
	finish
fi
ok "scheduler write, algorithms change and CPU offline all returned within $t s"

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
rm -f "$WORK/slow-modprobe" "$WORK/sl.sched" "$WORK/sl.algs" \
	"$WORK/sl.cpu" "$WORK/sl.err"
finish
