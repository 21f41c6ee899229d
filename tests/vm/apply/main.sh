#!/bin/sh
# In-VM script of tests/kernel_apply.rs (busybox sh; becomes
# /payload/main.sh). Checks OUR ipvsadm's --apply, --dry-run, lossless -S
# and --drain; the reference (/ref/ipvsadm, first in PATH as `ipvsadm`)
# builds starting tables, restores our saves and lists what ours did.
# Prints `FAIL ...` lines for what went wrong, a summary line per part
# (`pairs: N checked, M changes`, `statuses: checked`, `traffic: checked`,
# `drain: checked`), `measure: ...` lines, and `END`.
#
# Payload (written by tests/kernel_apply.rs):
#   pairs/count          how many pairs
#   pairs/N.start        a starting table, as `-S -n` lines
#   pairs/N.target       the target table, as the exact `-S -n` lines of ours
#   pairs/N.changes      the true number of changes between them
#   net.sh               tests/vm/net.sh (network namespaces, live traffic)

P=$(cd "$(dirname "$0")" && pwd)
OURS=/ours/ipvsadm
REF=/ref/ipvsadm
T=/tmp/apply
mkdir -p "$T" && cd "$T" || exit 1

fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
now() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

echo "measure: kernel $(uname -r)"

# ------------------------------------------------------------ 1. pairs
count=$(cat "$P/pairs/count")
total=0
t0=$(now)
n=0
# Each reference restore starts with -C on its first line: one process
# where `-C` then `-R` would be two (every process counts under emulation).
while [ $n -lt "$count" ]; do
    s=$P/pairs/$n.start; tg=$P/pairs/$n.target
    want=$(cat "$P/pairs/$n.changes")
    total=$((total + want))
    sort "$tg" > want
    sort "$s" > start
    { echo -C; cat "$s"; } | $REF -R || fail "pair $n: the reference cannot restore the start"
    # The dry run: nothing changes (our save of the start is the start,
    # thresholds included), one line per change.
    $OURS --apply "$tg" --dry-run > dry 2> err; rc=$?
    exp=3; [ "$want" = 0 ] && exp=0
    [ $rc = $exp ] || fail "pair $n: --dry-run exit status $rc, expected $exp: $(cat err)"
    got=$(wc -l < dry)
    [ "$got" = "$want" ] || fail "pair $n: --dry-run printed $got changes, the true difference is $want"
    $OURS -S -n | sort > got
    cmp -s start got || fail "pair $n: after --dry-run, -S -n is not the start: $(diff start got | grep '^[-+][-]' | head -4 | tr '\n' '|')"
    # The apply, then nothing left to do.
    $OURS --apply "$tg" 2> err; rc=$?
    [ $rc = $exp ] || fail "pair $n: --apply exit status $rc, expected $exp: $(cat err)"
    $OURS -S -n > saved
    sort saved > got
    cmp -s want got || fail "pair $n: after --apply, -S -n is not the target: $(diff want got | grep '^[-+][-]' | head -4 | tr '\n' '|')"
    $OURS --apply "$tg" --dry-run > again; rc=$?
    [ $rc = 0 ] && [ ! -s again ] || fail "pair $n: a second --apply would change $(wc -l < again) things (status $rc)"
    # Our save restored by the reference: the same table, thresholds too.
    $REF -L -n --thresholds > l1
    { echo -C; cat saved; } | $REF -R 2> err || fail "pair $n: the reference cannot restore our save: $(cat err)"
    $REF -L -n --thresholds > l2
    cmp -s l1 l2 || fail "pair $n: our save restored by the reference lists differently with --thresholds"
    # The dry-run lines, fed to the reference's -R after the start, give
    # the target.
    { echo -C; cat "$s" dry; } | $REF -R 2> err || fail "pair $n: the reference's -R refused the start and the dry-run lines: $(cat err)"
    $OURS -S -n | sort > got
    cmp -s want got || fail "pair $n: the dry-run lines through -R do not give the target"
    n=$((n + 1))
done
echo "pairs: $count checked, $total changes"
echo "measure: pairs $(elapsed "$t0") s"

# -------------------------------------------------------- 2. statuses
$REF -C
printf '%s\n' '-A -t 192.0.2.1:80 -s rr' > good
$OURS --apply good; [ $? = 3 ] || fail "statuses: a change is not 3"
$OURS --apply - < good; [ $? = 0 ] || fail "statuses: equal from stdin is not 0"
$OURS --apply /nonexistent 2> err; rc=$?
[ $rc = 1 ] && grep -q 'cannot read /nonexistent' err || fail "statuses: unreadable file: $rc $(cat err)"
printf '%s\n' '-C' '-A -t 192.0.2.2:80 -s rr' '-a -t 192.0.2.2:80 -r 198.51.100.20 -w x' > bad
$OURS --apply bad 2> err; rc=$?
[ $rc = 2 ] && grep -q 'restore line 3 .*illegal weight specified (nothing applied)' err || fail "statuses: refused line: $rc $(cat err)"
printf '%s\n' '-A -t 192.0.2.2:80' '-A -t 192.0.2.2:80' > twice
$OURS --apply twice 2> err; rc=$?
[ $rc = 2 ] && grep -q 'apply line 2 .*Service already exists' err || fail "statuses: service twice: $rc $(cat err)"
printf '%s\n' '-A -t 192.0.2.2:80' '--bogus' > unknown
$OURS --apply unknown 2> err; [ $? = 2 ] || fail "statuses: unknown option is not 2"
$OURS -S -n > table
[ "$(cat table)" = "-A -t 192.0.2.1:80 -s rr" ] || fail "statuses: a refused file changed the table: $(cat table)"
printf '%s\n' '-A -t 192.0.2.1:80 -s nosuchsched' > kernel
$OURS --apply kernel 2> err; rc=$?
[ $rc = 255 ] || fail "statuses: a change the kernel refuses: $rc $(cat err)"
echo "statuses: checked"

# --------------------------------------------------- 3. live traffic
NET="sh $P/net.sh"
LB="nsenter --net=/run/netns/lb --"
CLI="nsenter --net=/run/netns/cli --"
$NET up || fail "traffic: net.sh up"
t0=$(now)
printf '%s\n' '-A -t 192.0.2.1:7 -s wlc' '-a -t 192.0.2.1:7 -r 198.51.100.2:7 -m -w 1' > t1
printf '%s\n' '-A -t 192.0.2.1:7 -s wlc' '-a -t 192.0.2.1:7 -r 198.51.100.2:7 -m -w 7 -x 500 -y 100' > t2
$LB $OURS --apply t1; [ $? = 3 ] || fail "traffic: first apply"
# 50 lines, one every 0.1 s, echoed back by the real server.
$CLI setsid sh -c 'i=0; while [ $i -lt 50 ]; do echo line$i; i=$((i+1)); usleep 100000; done | timeout 12 nc 192.0.2.1 7 > /tmp/apply/echo' </dev/null >/dev/null 2>&1 &
usleep 1500000
# The client's address and port of the established connection.
client() { $LB $REF -L -n -c | awk '$3 == "ESTABLISHED" && $5 == "192.0.2.1:7" { print $4 }'; }
conn1=$(client)
before=$(wc -l < echo)
$LB $OURS --apply t2 2> err; rc=$?
[ $rc = 3 ] || fail "traffic: apply of new weight and thresholds: $rc $(cat err)"
$LB $OURS -S -n > table
grep -q -- '-r 198.51.100.2:7 -m -w 7 -x 500 -y 100$' table || fail "traffic: weight and thresholds not applied: $(cat table)"
usleep 1500000
conn2=$(client)
middle=$(wc -l < echo)
[ -n "$conn1" ] && [ "$conn1" = "$conn2" ] || fail "traffic: the connection did not stay established: [$conn1] [$conn2]"
[ "$middle" -gt "$before" ] || fail "traffic: no transfer after the apply ($before then $middle lines)"
i=0
while [ $i -lt 80 ] && [ "$(wc -l < echo)" -lt 50 ]; do usleep 100000; i=$((i + 1)); done
[ "$(wc -l < echo)" = 50 ] || fail "traffic: the transfer did not complete: $(wc -l < echo) of 50 lines"
[ "$(sed -n 50p echo)" = line49 ] || fail "traffic: the echoed lines are not the ones sent"
echo "measure: traffic: $before lines before the apply, $middle after 1.5 s"
echo "traffic: checked"
active() { $LB $REF -L -n | awk '$2 == "198.51.100.2:7" { print $5 }'; }
inactive() { $LB $REF -L -n | awk '$2 == "198.51.100.2:7" { print $6 }'; }
# The client ends (timeout) and its connection with it.
i=0
while [ $i -lt 150 ] && [ "$(active)" != 0 ]; do usleep 100000; i=$((i + 1)); done

# ------------------------------------------------------------ 4. drain
# hold SECONDS: one connection from the client to 192.0.2.1:7 that ends
# (the client killed) after SECONDS; returns once IPVS shows it.
hold() {
    $CLI setsid sh -c "sleep 100 | timeout -s KILL $1 nc 192.0.2.1 7" </dev/null >/dev/null 2>&1 &
    i=0
    while [ $i -lt 50 ] && [ "$(active)" != 1 ]; do usleep 100000; i=$((i + 1)); done
    [ "$(active)" = 1 ] || fail "drain: no active connection to hold"
}
# A connection that ends during the drain: deleted once it is gone.
hold 3
t0=$(now)
$LB $OURS --drain -t 192.0.2.1:7 -r 198.51.100.2:7 --drain-timeout 20 2> err; rc=$?
took=$(elapsed "$t0")
[ $rc = 0 ] || fail "drain: status $rc: $(cat err)"
[ ! -s err ] || fail "drain: stderr not a terminal, yet: $(cat err)"
awk -v t="$took" 'BEGIN { exit !(t >= 1 && t < 15) }' || fail "drain: took $took s for a connection of 3 s"
$LB $OURS -S -n | grep -q '198.51.100.2' && fail "drain: the real server is still there"
echo "measure: drain of a 3 s connection: $took s"
# One that outlives the limit: weight 0 stays, status 1, a message.
$LB $OURS --apply t2
hold 6
t0=$(now)
$LB $OURS --drain -t 192.0.2.1:7 -r 198.51.100.2:7 --drain-timeout 2 2> err; rc=$?
took=$(elapsed "$t0")
[ $rc = 1 ] || fail "drain: past the limit, status $rc"
grep -q 'timed out after 2 s with 1 connections left; its weight stays 0' err || fail "drain: past the limit, message: $(cat err)"
awk -v t="$took" 'BEGIN { exit !(t >= 2 && t < 6) }' || fail "drain: a limit of 2 s took $took s"
$LB $OURS -S -n | grep -q -- '-r 198.51.100.2:7 -m -w 0 -x 500 -y 100$' || fail "drain: past the limit, not left at weight 0: $($LB $OURS -S -n)"
echo "measure: drain past a limit of 2 s: $took s"
# Its connection ended (client killed at 6 s): no active one left, but
# an inactive one.
i=0
while [ $i -lt 100 ] && [ "$(active)" != 0 ]; do usleep 100000; i=$((i + 1)); done
[ "$(inactive)" -ge 1 ] || fail "drain: no inactive connection after the close ($(inactive))"
$LB $OURS --drain -t 192.0.2.1:7 -r 198.51.100.2:7 --drain-timeout 1 --drain-inactive 2> err; rc=$?
[ $rc = 1 ] || fail "drain: --drain-inactive with an inactive connection, status $rc"
$LB $OURS --drain -t 192.0.2.1:7 -r 198.51.100.2:7 --drain-timeout 5 2> err; rc=$?
[ $rc = 0 ] || fail "drain: without --drain-inactive, status $rc: $(cat err)"
$LB $OURS --drain -t 192.0.2.1:7 -r 198.51.100.2:7 2> err; rc=$?
[ $rc = 255 ] || fail "drain: of a real server that is gone, status $rc: $(cat err)"
echo "drain: checked"
$NET down

echo "measure: $fails failures"
echo END
