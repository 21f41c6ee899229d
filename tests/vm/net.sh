#!/bin/sh
# Live TCP and UDP traffic through IPVS inside the test VM (busybox sh).
# Shipped as /payload/net.sh by tests/kernel_compat.rs and explore.sh.
#
#   net.sh up                 network namespaces and servers (idempotent;
#                             the bench runs it for cases with `@net`)
#   net.sh http HOST PORT [N] [FILE]
#                             N (1) HTTP/1.0 GETs of FILE (index.html) from
#                             the client, one after the other; fails unless
#                             each gets "200 OK"
#   net.sh hold HOST PORT     one TCP connection from the client, left open
#                             (until `down`); returns once IPVS shows it
#                             ESTABLISHED
#   net.sh udp HOST PORT [N] [TEXT]
#                             N (1) UDP flows from the client (one datagram
#                             each, maybe a retransmission: busybox tftp);
#                             TEXT is carried in the datagram; fails unless
#                             IPVS made N new connections
#   net.sh sip HOST PORT CALLID
#                             one UDP datagram with a SIP Call-ID header (for
#                             the sip persistence engine)
#   net.sh settle             waits until IPVS's estimator has run since the
#                             traffic (counters are copied to what ipvsadm
#                             shows every 2 s); at most 6 s
#   net.sh down               stops and deletes everything `up` made
#   net.sh exec CMD [ARG...]  runs CMD in the director's namespace
#
# The network (all documentation addresses), in namespaces of its own:
#
#   client "cli"       203.0.113.10, 2001:db8:1::10 --+
#   real server "rs1"  198.51.100.2, 2001:db8::2    --+-- director "lb"
#   real server "rs2"  198.51.100.3, 2001:db8::3    --+
#
# The director "lb" is a network namespace with its own IPVS (services,
# connections, timeouts, sync daemons: all per namespace) and a dummy0 like
# the VM's (192.0.2.1/24, 198.51.100.1/24, 203.0.113.1/24, 2001:db8::1/64,
# 2001:db8:1::1/64) plus 192.0.2.2/32 (vip2.example). Each of the other
# namespaces hangs on a veth pair (vcli, vrs1, vrs2 in lb); lb routes their
# addresses (/32, /128) to the veths, ahead of dummy0's prefixes, and
# forwards. The bench runs every step of a case with an `@net` line inside
# lb (`net.sh exec CMD` does the same by hand), and `down` deletes all: the
# only way to empty a kernel's connection table is to drop its namespace.
#
# Virtual services must use addresses local to lb (IPVS sees only traffic
# to local addresses): the dummy0 ones above. The real servers answer HTTP
# on ports 80 and 8080 (busybox httpd; files index.html, 6 bytes, big,
# 300 kB, and 100M, 100 MB), and accept any TCP connection on port 7
# (kept open); UDP is not answered (the client's datagrams still make
# connections and count).
# Replies reach the client only through lb, so real servers must be
# masqueraded (-m).
#
# Every client is bounded by a timeout. Exit status 0 when the traffic went
# as asked, 1 otherwise (with a message on stderr).

IP=/usr/sbin/ip
STATE=/tmp/net
NS=/run/netns

die() { echo "net.sh: $*" >&2; exit 1; }
in_ns() { local ns=$1; shift; nsenter --net=$NS/$ns -- "$@"; }

# `ip -batch`: one process for many commands (each costs ~50 ms under TCG).
batch() { # NETNS (or "-" for the VM's own); commands on stdin
    if [ "$1" = - ]; then $IP -batch -; else $IP -n "$1" -batch -; fi
}

up() {
    [ -f $STATE/up ] && return 0
    mkdir -p $STATE/www || die "cannot make $STATE"
    printf 'hello\n' > $STATE/www/index.html
    dd if=/dev/zero of=$STATE/www/big bs=1000 count=300 2>/dev/null
    # A sparse file of 100 MB: enough bytes for the K unit of --stats.
    truncate -s 100000000 $STATE/www/100M
    cat > $STATE/get <<'EOF'
#!/bin/sh
printf 'GET /%s HTTP/1.0\r\n\r\n' "$NET_FILE"
head -c 15 > "$NET_REPLY"
dd bs=1M of=/dev/null 2>/dev/null
EOF
    chmod +x $STATE/get
    printf 'netns add %s\n' lb cli rs1 rs2 | batch - || die "cannot make the namespaces"
    batch lb <<EOF || die "cannot set up lb"
link set lo up
link add dummy0 type dummy
link set dummy0 up
addr add 192.0.2.1/24 dev dummy0
addr add 198.51.100.1/24 dev dummy0
addr add 203.0.113.1/24 dev dummy0
addr add 192.0.2.2/32 dev dummy0
addr add 2001:db8::1/64 dev dummy0 nodad
addr add 2001:db8:1::1/64 dev dummy0 nodad
link add vcli type veth peer name eth0 netns cli
link add vrs1 type veth peer name eth0 netns rs1
link add vrs2 type veth peer name eth0 netns rs2
link set vcli up
link set vrs1 up
link set vrs2 up
addr add fe80::1/64 dev vcli nodad
addr add fe80::1/64 dev vrs1 nodad
addr add fe80::1/64 dev vrs2 nodad
EOF
    batch cli <<EOF || die "cannot set up the client"
link set lo up
link set eth0 up
addr add fe80::2/64 dev eth0 nodad
addr add 203.0.113.10/24 dev eth0
addr add 2001:db8:1::10/64 dev eth0 nodad
route add default via 203.0.113.1
route add ::/0 via fe80::1 dev eth0
EOF
    for i in 2 3; do
        batch rs$((i - 1)) <<EOF || die "cannot set up rs$((i - 1))"
link set lo up
link set eth0 up
addr add fe80::2/64 dev eth0 nodad
addr add 198.51.100.$i/24 dev eth0
addr add 2001:db8::$i/64 dev eth0 nodad
route add default via 198.51.100.1
route add ::/0 via fe80::1 dev eth0
EOF
    done
    batch lb <<EOF || die "cannot route in lb"
route add 203.0.113.10/32 dev vcli
route add 2001:db8:1::10/128 via fe80::2 dev vcli
route add 198.51.100.2/32 dev vrs1
route add 2001:db8::2/128 via fe80::2 dev vrs1
route add 198.51.100.3/32 dev vrs2
route add 2001:db8::3/128 via fe80::2 dev vrs2
EOF
    in_ns lb sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward &&
        echo 1 > /proc/sys/net/ipv6/conf/all/forwarding' || die "cannot forward in lb"
    for n in rs1 rs2; do
        # Servers in sessions of their own: they outlive the step (the
        # bench kills a step's process group), `down` stops them.
        for p in 80 8080; do
            in_ns $n setsid httpd -p $p -h $STATE/www || die "cannot start httpd in $n"
        done
        in_ns $n setsid nc -ll -p 7 -e cat </dev/null >/dev/null 2>&1 &
    done
    touch $STATE/up
}

need_up() { [ -f $STATE/up ] || die "run 'net.sh up' first"; }

http() { # HOST PORT [N] [FILE]
    need_up
    local host=$1 port=$2 n=${3:-1} file=${4:-index.html} i=0
    [ -n "$host" ] && [ -n "$port" ] || die "usage: net.sh http HOST PORT [N] [FILE]"
    while [ $i -lt "$n" ]; do
        i=$((i + 1))
        # nc runs the client script on the connection, which reads the
        # whole reply (a client that stops early resets the connection,
        # which then has another state and expiry) with large reads.
        rm -f $STATE/reply
        NET_FILE=$file NET_REPLY=$STATE/reply in_ns cli \
            timeout 8 nc -w 3 "$host" "$port" -e $STATE/get </dev/null >/dev/null
        case $(head -c 15 $STATE/reply) in
            "HTTP/1.1 200 OK"|"HTTP/1.0 200 OK") ;;
            *) die "http $host $port: request $i failed" ;;
        esac
    done
}

established() { in_ns lb cat /proc/net/ip_vs_conn | grep -c ESTABLISHED; }

hold() { # HOST PORT
    need_up
    local host=$1 port=$2 before t=0
    [ -n "$host" ] && [ -n "$port" ] || die "usage: net.sh hold HOST PORT"
    before=$(established)
    # Open for at most 10 minutes; `down` kills it before.
    in_ns cli setsid sh -c "sleep 600 | timeout 600 nc $host $port" </dev/null >/dev/null 2>&1 &
    while [ $t -lt 50 ]; do
        [ "$(established)" -gt "$before" ] && return 0
        usleep 100000
        t=$((t + 1))
    done
    die "hold $host $port: no new established connection"
}

udp() { # HOST PORT [N] [TEXT]
    need_up
    local host=$1 port=$2 n=${3:-1} text=${4:-x} i=0 pids= before
    [ -n "$host" ] && [ -n "$port" ] || die "usage: net.sh udp HOST PORT [N] [TEXT]"
    before=$(udp_entries)
    # tftp sends a read request carrying TEXT as the file name, then waits
    # for an answer that never comes; its first datagram is what counts.
    while [ $i -lt "$n" ]; do
        i=$((i + 1))
        # (not through in_ns: $! must be tftp itself, for the kill below)
        nsenter --net=$NS/cli -- timeout 2 tftp -g -r "$text" -l /dev/null "$host" "$port" 2>/dev/null &
        pids="$pids $!"
        usleep 20000
    done
    usleep 300000
    kill $pids 2>/dev/null
    wait
    [ "$(udp_entries)" -ge $((before + n)) ] ||
        die "udp $host $port: IPVS did not make $n new connections"
}

udp_entries() { in_ns lb cat /proc/net/ip_vs_conn | grep -c '^UDP'; }

sip() { # HOST PORT CALLID
    [ -n "$3" ] || die "usage: net.sh sip HOST PORT CALLID"
    udp "$1" "$2" 1 "$(printf 'x\r\nCall-ID: %s\r\n' "$3")"
}

settle() {
    local before t=0
    before=$(in_ns lb cat /proc/net/ip_vs_stats)
    while [ $t -lt 30 ]; do
        usleep 200000
        [ "$(in_ns lb cat /proc/net/ip_vs_stats)" != "$before" ] && return 0
        t=$((t + 1))
    done
    return 0
}

down() {
    local n pids
    for n in cli rs1 rs2 lb; do
        [ -e $NS/$n ] || continue
        pids=$($IP netns pids $n 2>/dev/null)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        $IP netns del $n
    done
    rm -rf $STATE
    return 0
}

cmd=$1
[ $# -gt 0 ] && shift
case $cmd in
    up|http|hold|udp|sip|settle|down) $cmd "$@" ;;
    exec) need_up; in_ns lb "$@" ;;
    *) die "usage: net.sh up|http|hold|udp|sip|settle|down|exec ..." ;;
esac
