#!/bin/sh
# Live traffic through IPVS inside the test VM (busybox sh).
# prototype
IP=/usr/sbin/ip
NS_DIR=/run/netns
STATE=/tmp/net
ns() { nsenter --net=$NS_DIR/$1 -- "$@"; }

up() {
    [ -f $STATE/up ] && return 0
    mkdir -p $STATE/www
    echo 1 > /proc/sys/net/ipv4/ip_forward
    echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
    printf 'hello\n' > $STATE/www/index.html
    for n in cli rs1 rs2; do
        $IP netns add $n || return 1
        $IP link add v$n type veth peer name eth0 netns $n || return 1
        $IP link set v$n up
        $IP -6 addr add fe80::1/64 dev v$n nodad
        $IP -n $n link set lo up
        $IP -n $n link set eth0 up
        $IP -n $n -6 addr add fe80::2/64 dev eth0 nodad
    done
    $IP -n cli addr add 203.0.113.10/24 dev eth0
    $IP -n cli -6 addr add 2001:db8:1::10/64 dev eth0 nodad
    $IP -n cli route add default via 203.0.113.1
    $IP -n cli -6 route add default via fe80::1 dev eth0
    $IP route add 203.0.113.10/32 dev vcli
    $IP -6 route add 2001:db8:1::10/128 via fe80::2 dev vcli
    i=2
    for n in rs1 rs2; do
        $IP -n $n addr add 198.51.100.$i/24 dev eth0
        $IP -n $n -6 addr add 2001:db8::$i/64 dev eth0 nodad
        $IP -n $n route add default via 198.51.100.1
        $IP -n $n -6 route add default via fe80::1 dev eth0
        $IP route add 198.51.100.$i/32 dev v$n
        $IP -6 route add 2001:db8::$i/128 via fe80::2 dev v$n
        nsenter --net=$NS_DIR/$n setsid httpd -p 80 -h $STATE/www
        i=$((i + 1))
    done
    $IP addr add 192.0.2.2/32 dev dummy0
    touch $STATE/up
}

"$@"
