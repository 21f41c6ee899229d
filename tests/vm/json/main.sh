#!/bin/sh
# In-VM script of tests/kernel_json.rs (busybox sh; becomes
# /payload/main.sh): `--json` and `--netns` (project issue 8), and the
# library's examples.
#
# It prints a report that the test reads:
#   @@ block NAME        the lines up to `@@ end` are the output of a command
#   ...                  (reference listings and our JSON of the same state;
#   @@ end               the host parses and cross-checks them)
#   ok: WHAT / FAIL: WHAT   checks done here (namespaces, examples)
#   measure: ...         times
#   @@ done              the script got to its end
#
# Payload files: net.sh (tests/vm/net.sh), list_json and drain (the
# examples, built by cargo).
#
# The reference is /ref/ipvsadm; ours /ours/ipvsadm. Every run of ours is
# bounded by `timeout`.

P=$(cd "$(dirname "$0")" && pwd)
OURS=/ours/ipvsadm
REF=/ref/ipvsadm
T=/tmp/json
LIMIT=60
mkdir -p "$T" && cd "$T" || exit 1
start=$(date +%s)

# iproute2's ip (busybox's has no netns)
ip() { /usr/sbin/ip "$@"; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; }

# block NAME CMD...: the command's stdout between markers; a non-zero
# status is a failure.
block() {
    local name=$1
    shift
    echo "@@ block $name"
    timeout $LIMIT "$@" > "$T/out" 2> "$T/err"
    local st=$?
    cat "$T/out"
    echo "@@ end"
    [ $st -eq 0 ] || bad "$name: status $st: $(head -c 300 "$T/err")"
}

# stable NAME CMD...: like block, for listings that change with time
# (rates): the reference's --rate text before and after our JSON must be
# the same, else the three are taken again (at most 5 times).
# $1: label; the reference command is "$REF_PREFIX $REF -L -n --rate --exact $SVC",
# ours "$OURS_PREFIX -L --json $SVC".
stable_rates() {
    local name=$1 i=0
    while [ $i -lt 5 ]; do
        i=$((i + 1))
        $REF_PREFIX $REF -L -n --rate --exact > "$T/r1"
        timeout $LIMIT $OURS $OURS_NS -L --json > "$T/j"
        $REF_PREFIX $REF -L -n --rate --exact > "$T/r2"
        cmp -s "$T/r1" "$T/r2" && break
    done
    echo "@@ block $name-ref-rate"; cat "$T/r1"; echo "@@ end"
    echo "@@ block $name-json-rate"; cat "$T/j"; echo "@@ end"
}

# listings STATE SVC: every reference listing of the state and our JSON.
listings() {
    local s=$1 svc=$2
    block "$s-ref-plain" $REF_PREFIX $REF -L -n --exact
    block "$s-ref-stats" $REF_PREFIX $REF -L -n --stats --exact
    block "$s-ref-thresholds" $REF_PREFIX $REF -L -n --thresholds
    block "$s-ref-pconn" $REF_PREFIX $REF -L -n --persistent-conn
    block "$s-ref-tuninfo" $REF_PREFIX $REF -L -n --tun-info
    block "$s-ref-timeout" $REF_PREFIX $REF -L -n --timeout
    block "$s-ref-daemon" $REF_PREFIX $REF -L -n --daemon
    block "$s-ref-one" $REF_PREFIX $REF -L -n --exact $svc
    block "$s-json" $OURS $OURS_NS -L --json
    block "$s-json-stats" $OURS $OURS_NS -L -n --stats --json
    block "$s-json-timeout" $OURS $OURS_NS -L --timeout --json
    block "$s-json-daemon" $OURS $OURS_NS -L --daemon --json
    # back to back: the connections' expiry counts down
    block "$s-ref-conn" $REF_PREFIX $REF -L -n -c
    block "$s-json-conn" $OURS $OURS_NS -L -c --json
    block "$s-json-one" $OURS $OURS_NS -L --json $svc
    stable_rates "$s"
}

# ------------------------------------------------- a table without traffic
# Every forwarding method, tunnel types, thresholds, IPv6, firewall marks,
# persistence (IPv4 netmask, IPv6 prefix), scheduler flags, ops, pe.
REF_PREFIX= OURS_NS=
$REF -C
$REF --set 901 121 301
$REF -R <<'EOF'
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3 -x 100 -y 10
-a -t 192.0.2.1:80 -r 198.51.100.3 -g -w 0
-a -t 192.0.2.1:80 -r 198.51.100.4 -i -w 2
-a -t 192.0.2.1:80 -r 198.51.100.5 -i --tun-type gue --tun-port 6080 --tun-csum
-a -t 192.0.2.1:80 -r 198.51.100.6 -i --tun-type gre --tun-nocsum
-a -t 192.0.2.1:80 -r 198.51.100.7 -i --tun-type gue --tun-port 5555 --tun-remcsum
-A -u 192.0.2.1:53 -s wrr -o
-a -u 192.0.2.1:53 -r 198.51.100.2 -m -w 65535
-A -u 192.0.2.2:5060 -s rr -p 60 --pe sip
-a -u 192.0.2.2:5060 -r 198.51.100.3 -m
-A --sctp-service 192.0.2.1:3868 -s lc
-a --sctp-service 192.0.2.1:3868 -r 198.51.100.8 -g
-A -t [2001:db8::1]:443 -s sh -b sh-port,sh-fallback
-a -t [2001:db8::1]:443 -r [2001:db8::2]:443 -g -x 7
-a -t [2001:db8::1]:443 -r [2001:db8::3]:8443 -m
-a -t [2001:db8::1]:443 -r 198.51.100.9 -i
-A -f 7 -s wlc -p 300 -M 255.255.255.0
-a -f 7 -r 198.51.100.10 -g
-A -f 9 -6 -s rr -p 120 -M 64
-a -f 9 -6 -r [2001:db8::4]:0 -g
-A -t 192.0.2.1:0 -s mh -p -b mh-fallback
EOF
[ $? -eq 0 ] || bad "static table: the reference's -R failed"
listings static "-t 192.0.2.1:80"
# the other services one by one
for svc in "-u 192.0.2.1:53" "--sctp-service 192.0.2.1:3868" "-t [2001:db8::1]:443" "-f 7" "-f 9 -6"; do
    tag=$(echo "$svc" | tr -c 'a-z0-9\n' _)
    block "one$tag-ref" $REF -L -n --exact $svc
    block "one$tag-json" $OURS -L --json $svc
done
$REF -C
$REF --set 900 120 300

# --json with a command that lists nothing, and a missing service
for args in "-A -t 192.0.2.1:80 --json" "-S --json" "-Z --json" "-C --json" "--set 1 1 1 --json" "-L --json --json"; do
    timeout $LIMIT $OURS $args > "$T/o" 2> "$T/e"
    st=$?
    if [ $st -ne 0 ] && [ ! -s "$T/o" ] && [ "$(wc -l < "$T/e")" -eq 1 ]; then
        ok "ipvsadm $args: status $st, $(cat "$T/e")"
    else
        bad "ipvsadm $args: status $st, stdout $(head -c 100 "$T/o"), stderr $(cat "$T/e")"
    fi
done
$REF -L -n -t 192.0.2.99:80 > "$T/ro" 2> "$T/re"; rst=$?
timeout $LIMIT $OURS -L --json -t 192.0.2.99:80 > "$T/o" 2> "$T/e"; st=$?
if [ $st -eq $rst ] && cmp -s "$T/re" "$T/e" && [ ! -s "$T/o" ]; then
    ok "-L --json of a missing service: as the reference ($st, $(cat "$T/e"))"
else
    bad "-L --json of a missing service: ours $st $(cat "$T/e"), reference $rst $(cat "$T/re")"
fi
echo "measure: static table $(($(date +%s) - start)) s"

# ------------------------------------------------------- live traffic
t0=$(date +%s)
NET="sh $P/net.sh"
$NET up || bad "net.sh up"
REF_PREFIX="/usr/sbin/ip netns exec lb" OURS_NS="--netns lb"
$REF_PREFIX $REF -R <<'EOF'
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 198.51.100.2 -m -x 10 -y 5
-a -t 192.0.2.1:80 -r 198.51.100.3 -m -w 2
-A -u 192.0.2.1:53 -s rr
-a -u 192.0.2.1:53 -r 198.51.100.3 -m
-A -t [2001:db8::1]:80 -s rr
-a -t [2001:db8::1]:80 -r [2001:db8::3]:8080 -m
-A -t 192.0.2.2:7 -s rr -p 600
-a -t 192.0.2.2:7 -r 198.51.100.2 -m
EOF
# (no sync daemon goes with the mixed-family real server of the static table)
$REF_PREFIX $REF --start-daemon master --mcast-interface vcli --syncid 7 --sync-maxlen 1200 --mcast-port 8850 --mcast-ttl 3 ||
    bad "the reference's --start-daemon master failed"
$REF_PREFIX $REF --start-daemon backup --mcast-interface vrs1 --syncid 8 --mcast-group 239.1.2.3 ||
    bad "the reference's --start-daemon backup failed"
$NET http 192.0.2.1 80 1 100M || bad "http 100M"
$NET http 192.0.2.1 80 3 big || bad "http big"
$NET http 2001:db8::1 80 2 || bad "http ipv6"
$NET udp 192.0.2.1 53 2 || bad "udp"
$NET hold 192.0.2.2 7 || bad "hold"
$NET settle
listings traffic "-t 192.0.2.1:80"
echo "measure: traffic $(($(date +%s) - t0)) s"

# ------------------------------------------------------- examples
t0=$(date +%s)
$P/list_json --netns lb > "$T/ex" 2> "$T/exe"
st=$?
echo "@@ block example-list_json"; cat "$T/ex"; echo "@@ end"
[ $st -eq 0 ] || bad "example list_json: status $st $(cat "$T/exe")"
block example-json-same $OURS --netns lb -L --json
# drain: the held connection keeps 198.51.100.2 of 192.0.2.2:7 busy
$P/drain --netns lb tcp 192.0.2.2:7 198.51.100.2:7 30 > "$T/drain" 2>&1 &
dpid=$!
sleep 2
w=$(ip netns exec lb $REF -L -n -t 192.0.2.2:7 | awk '$2 == "198.51.100.2:7" { print $4 " " $5 }')
if [ "$w" = "0 1" ]; then
    ok "drain: weight 0, still there with its active connection"
else
    bad "drain: after 2 s, weight and active connections are '$w' (want '0 1')"
fi
# end the client: the connection closes, drain deletes the server
pids=$(ip netns pids cli)
[ -n "$pids" ] && kill $pids
wait $dpid
st=$?
if [ $st -eq 0 ] && ! ip netns exec lb $REF -L -n -t 192.0.2.2:7 | grep -q 198.51.100.2; then
    ok "drain: deleted once idle: $(tail -n 1 "$T/drain")"
else
    bad "drain: status $st, $(cat "$T/drain"); table: $(ip netns exec lb $REF -L -n -t 192.0.2.2:7 | tail -n 1)"
fi
$P/drain --netns lb tcp 192.0.2.99:7 198.51.100.2:7 5 > "$T/drain" 2>&1
st=$?
if [ $st -ne 0 ] && grep -q "no such service" "$T/drain"; then
    ok "drain of a missing service: status $st, $(cat "$T/drain")"
else
    bad "drain of a missing service: status $st, $(cat "$T/drain")"
fi
$NET down
echo "measure: examples $(($(date +%s) - t0)) s"

# ------------------------------------------------------- namespaces
# The initial namespace and two more (red, blue), each with its own
# table. Each command of ours is aimed at one namespace with --netns
# (blue through /proc/PID/ns/net, the initial one through /proc/1/ns/net
# at times); then the state of all three is taken with the reference:
# the other two must not have changed, and the target's must be what the
# reference's same command makes of the state before (replayed by `ip
# netns exec`). Outputs and statuses must be the reference's too.
t0=$(date +%s)
ip netns add red
ip netns add blue
for n in red blue; do
    ip -n $n link set lo up
    ip -n $n link add dummy0 type dummy
    ip -n $n link set dummy0 up
done
/usr/sbin/ip netns exec blue sleep 600 &
bluepid=$!
sleep 1
BLUE=/proc/$bluepid/ns/net

in_ns() { # NS CMD...: in the initial namespace for "init"
    local n=$1
    shift
    if [ "$n" = init ]; then "$@"; else ip netns exec "$n" "$@"; fi
}

snap() { # NS FILE: the state of NS, by the reference
    { in_ns $1 $REF -S -n; in_ns $1 $REF -L -n --timeout; in_ns $1 $REF -L -n --daemon; } > "$2" 2>&1
}

# back NS FILE: put NS back to the state in FILE (rules, timeouts; the
# steps that start daemons start from none)
back() {
    in_ns $1 $REF -C
    grep '^-' "$2" | in_ns $1 $REF -R
    set -- $1 $(sed -n 's/^Timeout (tcp tcpfin udp): //p' "$2")
    in_ns $1 $REF --set $2 $3 $4
    in_ns $1 $REF --stop-daemon master 2>/dev/null
    in_ns $1 $REF --stop-daemon backup 2>/dev/null
}

seed() {
    in_ns $1 $REF -C
    in_ns $1 $REF -A -t "$2:80" -s rr
    in_ns $1 $REF -a -t "$2:80" -r 198.51.100.2 -m
    in_ns $1 $REF -A -u "$2:53" -s wrr
}
seed init 192.0.2.10
seed red 192.0.2.20
seed blue 192.0.2.30
in_ns red $REF --set 500 50 200
for m in init red blue; do snap $m "$T/cur-$m"; done

# step NS NSARG STDIN PROG ARGS...: ours with --netns NSARG; the
# reference's replay runs PROG (ipvsadm, ipvsadm-save, ipvsadm-restore) in NS.
step() {
    local n=$1 arg=$2 input=$3 prog=$4
    shift 4
    local label="$prog --netns $arg $*"
    for m in init red blue; do cp "$T/cur-$m" "$T/before-$m"; done
    timeout $LIMIT /ours/$prog --netns "$arg" "$@" < "$input" > "$T/oo" 2> "$T/oe"
    local ost=$?
    for m in init red blue; do snap $m "$T/after-$m"; done
    back $n "$T/before-$n"
    in_ns $n env PATH=/ref:$PATH $prog "$@" < "$input" > "$T/ro" 2> "$T/re"
    local rst=$?
    snap $n "$T/ref-$n"
    local why=
    for m in init red blue; do
        [ $m = $n ] && continue
        cmp -s "$T/before-$m" "$T/after-$m" || why="$why; changed $m"
    done
    cmp -s "$T/after-$n" "$T/ref-$n" || why="$why; state of $n differs from the reference's ($(diff "$T/after-$n" "$T/ref-$n" | grep '^[-+][^-+]' | head -n 4 | tr '\n' '|'))"
    cmp -s "$T/oo" "$T/ro" || why="$why; stdout differs ($(diff "$T/oo" "$T/ro" | grep '^[-+][^-+]' | head -n 4 | tr '\n' '|'))"
    cmp -s "$T/oe" "$T/re" || why="$why; stderr differs ($(cat "$T/oe") vs $(cat "$T/re"))"
    [ $ost -eq $rst ] || why="$why; status $ost vs $rst"
    # put the target back to what ours made of it
    cmp -s "$T/after-$n" "$T/ref-$n" || back $n "$T/after-$n"
    for m in init red blue; do cp "$T/after-$m" "$T/cur-$m"; done
    if [ -z "$why" ]; then ok "netns: $label"; else bad "netns: $label$why"; fi
}

N=/dev/null
printf '%s\n' '-A -t 192.0.2.21:80 -s rr' '-a -t 192.0.2.21:80 -r 198.51.100.3 -g -w 4' > "$T/rules"
printf '%s\n' '# a comment' '-A -t 192.0.2.31:443 -s lc' '-a -t 192.0.2.31:443 -r 198.51.100.4 -m' > "$T/wrapped"
step red red $N ipvsadm -A -t 192.0.2.22:80 -s wlc
step blue $BLUE $N ipvsadm -a -t 192.0.2.30:80 -r 198.51.100.9 -m -w 5
step init /proc/1/ns/net $N ipvsadm -E -t 192.0.2.10:80 -s lc
step red red $N ipvsadm -e -t 192.0.2.20:80 -r 198.51.100.2 -m -w 9
step blue blue $N ipvsadm -d -t 192.0.2.30:80 -r 198.51.100.2
step red red $N ipvsadm -D -u 192.0.2.20:53
step blue $BLUE $N ipvsadm -Z
step red red $N ipvsadm -R
step red red "$T/rules" ipvsadm -R
step blue blue $N ipvsadm -L -n
step red red $N ipvsadm -L -n -c
step red red $N ipvsadm -L --timeout
step blue $BLUE $N ipvsadm -S -n
step red red $N ipvsadm --set 600 60 240
step init /proc/1/ns/net $N ipvsadm -L -n
step red red $N ipvsadm-save -n
step blue blue "$T/wrapped" ipvsadm-restore
step red red $N ipvsadm -C
step blue blue $N ipvsadm -D -t 192.0.2.99:80
# daemons: started in one namespace, seen only there, stopped there
for m in init red blue; do cp "$T/cur-$m" "$T/before-$m"; done
timeout $LIMIT $OURS --netns red --start-daemon master --mcast-interface dummy0 --syncid 3 > "$T/oo" 2>&1
ost=$?
for m in init red blue; do snap $m "$T/after-$m"; done
if [ $ost -eq 0 ] && cmp -s "$T/before-init" "$T/after-init" && cmp -s "$T/before-blue" "$T/after-blue" &&
    ip netns exec red $REF -L --daemon | grep -q 'master sync daemon (mcast=dummy0, syncid=3'; then
    ok "netns: --start-daemon in red only"
else
    bad "netns: --start-daemon in red: status $ost $(cat "$T/oo"); red: $(ip netns exec red $REF -L --daemon)"
fi
timeout $LIMIT $OURS --netns blue --stop-daemon master > "$T/oo" 2>&1; ost=$?
ip netns exec blue $REF --stop-daemon master > "$T/ro" 2>&1; rst=$?
if [ $ost -eq $rst ] && cmp -s "$T/oo" "$T/ro" && ip netns exec red $REF -L --daemon | grep -q master; then
    ok "netns: --stop-daemon in blue leaves red's daemon ($(cat "$T/oo"))"
else
    bad "netns: --stop-daemon in blue: $ost $(cat "$T/oo") vs $rst $(cat "$T/ro")"
fi
block ns-red-daemon-json $OURS --netns red -L --daemon --json
timeout $LIMIT $OURS --netns red --stop-daemon master; ost=$?
if [ $ost -eq 0 ] && [ -z "$(ip netns exec red $REF -L --daemon)" ]; then
    ok "netns: --stop-daemon in red"
else
    bad "netns: --stop-daemon in red: status $ost"
fi
# what each namespace lists, as JSON
for n in red blue; do
    block "ns-$n-ref" /usr/sbin/ip netns exec $n $REF -L -n --exact
    block "ns-$n-json" $OURS --netns $n -L --json
done
block ns-init-ref $REF -L -n --exact
block ns-init-json $OURS -L --json

# namespaces that cannot be entered: one line, non-zero status
echo not-a-namespace > "$T/plain"
for arg in nosuch /run/netns/nosuch "$T/plain"; do
    for cmd in "-L -n" "-A -t 192.0.2.40:80" "-S"; do
        timeout $LIMIT $OURS --netns "$arg" $cmd > "$T/o" 2> "$T/e"
        st=$?
        if [ $st -ne 0 ] && [ ! -s "$T/o" ] && [ "$(wc -l < "$T/e")" -eq 1 ] && grep -q "$arg" "$T/e"; then
            ok "--netns $arg $cmd: status $st, $(cat "$T/e")"
        else
            bad "--netns $arg $cmd: status $st, stdout $(head -c 100 "$T/o"), stderr $(cat "$T/e")"
        fi
    done
done
timeout $LIMIT /ours/ipvsadm-save --netns nosuch > "$T/o" 2> "$T/e"; st=$?
[ $st -ne 0 ] && [ "$(wc -l < "$T/e")" -eq 1 ] && ok "ipvsadm-save --netns nosuch: status $st, $(cat "$T/e")" ||
    bad "ipvsadm-save --netns nosuch: status $st, $(cat "$T/e")"
echo "-A -t 192.0.2.41:80" | timeout $LIMIT /ours/ipvsadm-restore --netns nosuch > "$T/o" 2> "$T/e"; st=$?
[ $st -ne 0 ] && [ "$(wc -l < "$T/e")" -eq 1 ] && ok "ipvsadm-restore --netns nosuch: status $st, $(cat "$T/e")" ||
    bad "ipvsadm-restore --netns nosuch: status $st, $(cat "$T/e")"
# the initial namespace was left alone by all of that
if $REF -S -n | grep -q 192.0.2.4; then bad "a failed --netns touched the initial namespace"; else ok "failed --netns changed nothing"; fi
kill $bluepid
ip netns del red
ip netns del blue
$REF -C
echo "measure: namespaces $(($(date +%s) - t0)) s"
echo "measure: total $(($(date +%s) - start)) s"
echo "@@ done"
