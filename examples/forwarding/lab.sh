#!/bin/sh
# Shared helpers of the forwarding recipes (sourced by every scenario; POSIX
# sh, runs under busybox sh in the test VM). Run as root on a machine with
# IPVS, iproute2, socat and (for some recipes) nft. Everything lives in
# network namespaces named fw-*, so the host's own tables are not touched;
# `sh lab.sh cleanup` removes leftovers of an interrupted run.
#
# The lab network (documentation addresses only):
#
#   client fw-c  203.0.113.10-13/24, 2001:db8:1::10/64
#        |  bridge "front" (in namespace fw-sw)
#   director fw-d1  203.0.113.1, 2001:db8:1::1   (fw-d2: .2, ::2)
#                   virtual addresses on lo: 192.0.2.1/32, 2001:db8:2::1/128
#        |  bridge "back" (in fw-sw)
#   director 198.51.100.1, 2001:db8::1          (fw-d2: .2, ::2)
#   real servers fw-r1..fw-rN  198.51.100.(10+N)/24, 2001:db8::(10+N)/64
#
# Clients and real servers route through director d1 by default. Every real
# server runs:
#   TCP 80    answers its name ("r1") and then echoes until the client closes
#             (a short request closes at once; a held one stays ESTABLISHED)
#   TCP 8080  answers "NAME PEER" (PEER: the source address it sees)
#   UDP 53    appends every datagram it receives to $LAB/udp.NAME (no reply)
#
# The tool under test is $IPVSADM (default: ipvsadm in PATH).

IPVSADM=${IPVSADM:-ipvsadm}
LAB=${LAB:-/tmp/fwlab}
NETNS_DIR=/run/netns
# iproute2 by full path: busybox sh runs its own `ip` applet before PATH.
for IP in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do [ -x $IP ] && break; done
NFT=/usr/sbin/nft
[ -x $NFT ] || NFT=nft
VIP=192.0.2.1
VIP6=2001:db8:2::1
LAB_PASSED=0
LAB_FAILED=0

say() { echo "-- $*"; }
on() { local ns=fw-$1; shift; nsenter --net=$NETNS_DIR/$ns -- "$@"; }
# ipvsadm in director d1 (or d2: ipvs_in d2 ARGS)
ipvs() { on d1 $IPVSADM "$@"; }
ipvs_in() { local d=$1; shift; on $d $IPVSADM "$@"; }
batch() { $IP -n fw-$1 -batch -; }

# sysctls NS key=value...: /proc/sys inside a namespace, in one process.
sysctls() {
    local ns=$1 kv script=""; shift
    for kv in "$@"; do
        script="$script echo ${kv#*=} > /proc/sys/$(echo "${kv%%=*}" | tr . /) &&"
    done
    on $ns sh -c "$script true" || fail "sysctl in $ns: $*"
}

# ------------------------------------------------------------ assertions

pass() { LAB_PASSED=$((LAB_PASSED + 1)); echo "PASS: $*"; }
fail() { LAB_FAILED=$((LAB_FAILED + 1)); echo "FAIL: $*"; }

# expect DESC GOT OP WANT   (OP: eq ne ge le gt lt, numbers)
expect() {
    if [ "$2" -"$3" "$4" ] 2>/dev/null; then pass "$1: $2 ($3 $4)"
    else fail "$1: got $2, want $3 $4"; fi
}
# expect_same DESC GOT WANT   (strings)
expect_same() {
    if [ "$2" = "$3" ]; then pass "$1: $2"
    else fail "$1: got '$2', want '$3'"; fi
}
expect_differ() {
    if [ "$2" != "$3" ]; then pass "$1: $2 != $3"
    else fail "$1: both '$2'"; fi
}

# wait_for SECS CMD...: polls CMD every 0.2 s until it succeeds; false on
# timeout. (Generous bounds: the test VM is emulated and often busy.)
wait_for() {
    local n=$(($1 * 5)); shift
    while [ $n -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        usleep 200000
        n=$((n - 1))
    done
    return 1
}

# ------------------------------------------------------------ the network

ns_add() {
    $IP netns add fw-$1 || { echo "cannot make namespace fw-$1"; exit 1; }
    $IP -n fw-$1 link set lo up
    # no duplicate address detection: addresses usable at once
    sysctls $1 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
}

# attach NS IF BRIDGE: a veth from namespace NS (named IF) to BRIDGE in fw-sw.
attach() {
    $IP -n fw-sw link add $1$2 type veth peer name $2 netns fw-$1 &&
        $IP -n fw-sw link set $1$2 master $3 up &&
        $IP -n fw-$1 link set $2 up || { echo "cannot attach $1 to $3"; exit 1; }
}

# lab_net NRS [NDIRECTORS]: the network above, with NRS real servers.
lab_net() {
    local nrs=$1 nd=${2:-1} i
    lab_cleanup
    mkdir -p $LAB
    ns_add sw
    batch sw <<EOF || exit 1
link add front type bridge stp_state 0 mcast_snooping 0
link add back type bridge stp_state 0 mcast_snooping 0
link set front up
link set back up
EOF
    ns_add c
    attach c eth0 front
    batch c <<EOF || exit 1
addr add 203.0.113.10/24 dev eth0
addr add 203.0.113.11/24 dev eth0
addr add 203.0.113.12/24 dev eth0
addr add 203.0.113.13/24 dev eth0
addr add 2001:db8:1::10/64 dev eth0 nodad
route add default via 203.0.113.1
route add ::/0 via 2001:db8:1::1
EOF
    i=1
    while [ $i -le $nd ]; do
        ns_add d$i
        attach d$i eth0 front
        attach d$i eth1 back
        batch d$i <<EOF || exit 1
addr add 203.0.113.$i/24 dev eth0
addr add 2001:db8:1::$i/64 dev eth0 nodad
addr add 198.51.100.$i/24 dev eth1
addr add 2001:db8::$i/64 dev eth1 nodad
addr add $VIP/32 dev lo
addr add $VIP6/128 dev lo
EOF
        sysctls d$i net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
        i=$((i + 1))
    done
    i=1
    while [ $i -le $nrs ]; do
        ns_add r$i
        attach r$i eth0 back
        batch r$i <<EOF || exit 1
addr add 198.51.100.$((10 + i))/24 dev eth0
addr add 2001:db8::$((10 + i))/64 dev eth0 nodad
route add default via 198.51.100.1
route add ::/0 via 2001:db8::1
EOF
        serve r$i
        i=$((i + 1))
    done
    i=1
    while [ $i -le $nrs ]; do
        wait_for 20 listening r$i 80 || fail "server of r$i not listening"
        i=$((i + 1))
    done
}

listening() { on $1 netstat -lnt | grep -q ":$2 "; }

# serve NAME: the servers of a real server (see the header).
serve() {
    echo $1 > $LAB/name.$1
    : > $LAB/udp.$1
    on $1 socat TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr,backlog=64 \
        EXEC:"cat $LAB/name.$1 -" </dev/null >/dev/null 2>&1 &
    on $1 socat TCP6-LISTEN:8080,ipv6only=0,fork,reuseaddr \
        SYSTEM:'echo '$1' $SOCAT_PEERADDR' </dev/null >/dev/null 2>&1 &
    on $1 socat -u UDP6-RECV:53,ipv6only=0,reuseaddr \
        OPEN:$LAB/udp.$1,append </dev/null >/dev/null 2>&1 &
}

# rs_addr N [6]: the address of real server N.
rs_addr() { if [ "$2" = 6 ]; then echo 2001:db8::$((10 + $1)); else echo 198.51.100.$((10 + $1)); fi; }

lab_cleanup() {
    local ns pids
    for ns in c d1 d2 d3 r1 r2 r3 r4 r5 sw; do
        [ -e $NETNS_DIR/fw-$ns ] || continue
        # a sync daemon holds its namespace: stop it first
        on $ns $IPVSADM --stop-daemon master >/dev/null 2>&1
        on $ns $IPVSADM --stop-daemon backup >/dev/null 2>&1
        pids=$($IP netns pids fw-$ns 2>/dev/null)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        $IP netns del fw-$ns
    done
    rm -rf $LAB
}

# lab_done: the summary line; exit status 0 only when nothing failed.
lab_done() {
    local rc=0
    trap - EXIT INT TERM
    lab_cleanup
    if [ $LAB_FAILED -gt 0 ] || [ $LAB_PASSED -eq 0 ]; then rc=1; fi
    echo "== $(basename "$0" .sh): $([ $rc = 0 ] && echo PASS || echo FAIL) ($LAB_PASSED passed, $LAB_FAILED failed)"
    exit $rc
}

# lab_start: every scenario calls this first.
lab_start() {
    trap 'lab_cleanup' EXIT
    trap 'lab_cleanup; exit 1' INT TERM
}

# ------------------------------------------------------------ traffic

# ask HOST PORT [SOCAT-OPTIONS [CONNECT-SECS]]: one TCP request from the
# client (connect bounded by CONNECT-SECS, 20 by default); prints
# the first word of the answer (a real server's name) or "none".
# HOST: an IPv4 address or [IPv6]. Options e.g. ",bind=203.0.113.11".
ask() {
    set -- $(ask_line "$@")
    echo "${1:-none}"
}
# ask_line HOST PORT [SOCAT-OPTIONS]: the same, the whole answer.
# Generous bounds (an emulated machine under load can take seconds per
# request): they cost time only when a request fails. A failure is told on
# stderr with socat's reason.
ask_line() {
    on c timeout 60 socat -t 30 -T 30 - "TCP:$1:$2,connect-timeout=${4:-20}$3" </dev/null 2>$LAB/ask.err ||
        echo "-- request to $1:$2$3 failed: $(tail -n 1 $LAB/ask.err)" >&2
}

# hits N HOST PORT [SOCAT-OPTIONS]: N requests one after the other; the
# answers go to $LAB/answers, one a line.
hits() {
    local n=$1 i=0; shift
    : > $LAB/answers
    while [ $i -lt $n ]; do
        ask "$@" >> $LAB/answers
        i=$((i + 1))
    done
}

# count NAME: how many of the last hits NAME answered.
count() { grep -cx "$1" $LAB/answers; }
summary() { say "answers: $(sort $LAB/answers | uniq -c | awk '{printf "%s=%s ", $2, $1}')"; }

# hold TAG HOST PORT [SOCAT-OPTIONS]: one TCP connection left open (until
# release TAG); waits for the answer and prints it.
hold() {
    local tag=$1; shift
    : > $LAB/hold.$tag
    setsid nsenter --net=$NETNS_DIR/fw-c -- sh -c \
        "sleep 900 | socat -T 900 - 'TCP:$1:$2,connect-timeout=20$3' > $LAB/hold.$tag 2>/dev/null" \
        </dev/null >/dev/null 2>&1 &
    echo $! > $LAB/hold.$tag.pid
    wait_for 60 test -s $LAB/hold.$tag
    set -- $(cat $LAB/hold.$tag)
    echo "${1:-none}"
}

# release TAG: closes a held connection (the whole process group).
release() {
    kill -- -"$(cat $LAB/hold.$1.pid)" 2>/dev/null
}

# udp_send HOST PORT TEXT [SOCAT-OPTIONS]: one datagram from the client.
udp_send() {
    echo "$3" | on c timeout 10 socat -u - "UDP-SENDTO:$1:$2$4" 2>/dev/null
}
# udp_count NAME TEXT: datagrams with TEXT that real server NAME got.
udp_count() { grep -c "^$2\$" $LAB/udp.$1; }
# udp_where TEXT: the real servers that got a datagram TEXT.
udp_where() {
    local f r=""
    for f in $LAB/udp.*; do grep -qx "$1" "$f" && r="$r ${f##*.}"; done
    echo ${r:-none}
}
# udp_total TEXT: how many datagrams TEXT arrived anywhere.
udp_total() { cat $LAB/udp.* | grep -cx "$1"; }

# conns: the director's connection entries (-L -c -n), one a line.
conns() { ipvs_in ${1:-d1} -L -c -n | tail -n +3; }

# Run as a script: `sh lab.sh cleanup`.
case $0 in
    *lab.sh) [ "${1:-}" = cleanup ] && lab_cleanup ;;
esac
