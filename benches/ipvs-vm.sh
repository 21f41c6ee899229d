#!/bin/sh
# The measurements of `cargo bench --bench ipvs`, run inside the test VM as
# /payload/main.sh (see benches/ipvs.rs). /payload/bench is the bench
# binary (timer, floor client, rule generator); /payload/params sets
# SERVICES DESTS SINGLES SCALE REPS. Prints `m MEASURE TOOL SIZE SECONDS
# MAXRSS_KB`, `check WHAT ok|DIFF`, `fail WHAT...`, and `done` at the end.
. /payload/params
B=/payload/bench
REF=/ref/ipvsadm
# Ours: the static build (as the README installs it); /ours/ipvsadm is
# cargo's default dynamic build, timed for one invocation too.
OURS=/payload/ours-static
DYNAMIC=/ours/ipvsadm
IP=/usr/sbin/ip   # iproute2's: busybox's ip has no netns
mkdir -p /tmp/bench && cd /tmp/bench || exit 1
echo "kernel $(uname -r)"

# Every table lives in a network namespace of its own: a fresh one is an
# empty IPVS table with an empty trash list.
NS=0
fresh() {
    NS=$((NS + 1))
    CUR=bench$NS
    $IP netns add $CUR || echo "fail netns add $CUR"
    # Real servers need a route (the kernel refuses addresses it cannot
    # reach as "not unicast"): the VM's own addresses, on a dummy link.
    $IP -n $CUR link add dummy0 type dummy
    $IP -n $CUR link set dummy0 up
    $IP -n $CUR addr add 198.51.100.1/24 dev dummy0
}
# A table measured is cleared but its namespace is kept: tearing a
# namespace down keeps the kernel busy in the background while the next
# measures run. Cleared, because the kernel numbers the entries of
# /proc/net/ip_vs across namespaces, so that a reader whose namespace is
# not alone with services sees some of its services skipped (ours then
# reads those by netlink): listings are measured with one table only.
drop() { $IP netns exec "$1" $OURS -C; }

# measure WHAT TOOL SIZE NS IN OUT PROG ARGS...
measure() {
    what=$1 tool=$2 size=$3 ns=$4 in=$5 out=$6
    shift 6
    res=$($IP netns exec "$ns" $B vm time "$in" "$out" "$@")
    set -- $res
    if [ $# -ne 3 ] || [ "$3" != 0 ]; then
        echo "fail $what $tool $size: '$res'"
        return
    fi
    echo "m $what $tool $size $1 $2"
}

# check WHAT FILE1 FILE2: byte-identical and not empty
check() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then echo "check $1 ok"; else echo "check $1 DIFF"; fi
}

# save NS FILE: the table as the reference ipvsadm saves it
save() { $IP netns exec "$1" $REF -S -n > "$2"; }

$B vm rules "$SERVICES" "$DESTS" > rules || echo "fail rules"
lines=$(wc -l < rules)

# Restore into an empty table: the reference once (it is slow), then its
# table listed by each tool, alternating (the outputs of the first round
# must be identical); then ours and the floor restore REPS times,
# alternating. All must leave the same table.
fresh; REFNS=$CUR
measure restore ipvsadm "$SERVICES" $REFNS rules /dev/null $REF -R
save $REFNS save.ref
[ "$(wc -l < save.ref)" = "$lines" ] && echo "check ref-table-complete ok" || echo "check ref-table-complete DIFF"
for r in $(seq "$REPS"); do
    for v in "list -L -n" "stats -L -n --stats" "save -S -n"; do
        set -- $v
        what=$1
        shift
        measure $what ipvsadm "$SERVICES" $REFNS /dev/null out.$what.ref $REF "$@"
        measure $what ours "$SERVICES" $REFNS /dev/null out.$what.ours $OURS "$@"
        [ "$r" = 1 ] && check list-$what out.$what.ref out.$what.ours
    done
    measure floor-list floor "$SERVICES" $REFNS /dev/null /dev/null $B vm floor-list
    measure cat-proc floor "$SERVICES" $REFNS /dev/null /dev/null /bin/cat /proc/net/ip_vs
done
drop $REFNS
for r in $(seq "$REPS"); do
    fresh
    measure restore ours "$SERVICES" $CUR rules /dev/null $OURS -R
    save $CUR save.ours
    check restore-ours-$r save.ref save.ours
    drop $CUR
    fresh
    measure floor-restore floor "$SERVICES" $CUR /dev/null /dev/null $B vm floor-restore "$SERVICES" "$DESTS"
    save $CUR save.floor
    check restore-floor-$r save.ref save.floor
    drop $CUR
done

# Single invocations, alternating, each adding one service.
fresh
set -- $($IP netns exec $CUR $B vm singles "$SINGLES" $REF $OURS $DYNAMIC)
if [ $# -eq 9 ] && [ "$3" = 0 ] && [ "$6" = 0 ] && [ "$9" = 0 ]; then
    echo "m single ipvsadm $SINGLES $1 $2"
    echo "m single ours $SINGLES $4 $5"
    echo "m single-dynamic ours $SINGLES $7 $8"
else
    echo "fail singles: $*"
fi
drop $CUR

# Ours alone at several sizes: REPS restores, the first table listed
# before the next is made.
for k in $SCALE; do
    $B vm rules "$k" "$DESTS" > rules.$k
    for r in $(seq "$REPS"); do
        fresh
        measure restore scale "$k" $CUR rules.$k /dev/null $OURS -R
        if [ "$r" = 1 ]; then
            for l in $(seq "$REPS"); do
                measure list scale "$k" $CUR /dev/null /dev/null $OURS -L -n
                measure stats scale "$k" $CUR /dev/null /dev/null $OURS -L -n --stats
                measure save scale "$k" $CUR /dev/null /dev/null $OURS -S -n
            done
            # The reference's listings once, for their peak memory.
            measure list scale-ref "$k" $CUR /dev/null /dev/null $REF -L -n
            measure stats scale-ref "$k" $CUR /dev/null /dev/null $REF -L -n --stats
            measure save scale-ref "$k" $CUR /dev/null /dev/null $REF -S -n
        fi
        drop $CUR
    done
    rm -f rules.$k
done
echo done
