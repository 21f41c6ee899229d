#!/bin/sh
# Recipe: tunnelling (-i) with ipip, gue and gre encapsulation, IPv4 and
# IPv6.
#
# The director wraps each request in an outer header to the real server;
# the real server decapsulates it on a tunnel device, finds the virtual
# address local (on lo, not answering ARP as for direct routing) and
# replies straight to the client. Per encapsulation, on the real server:
#
#   ipip: ip link set tunl0 up                (ip6tnl0 for IPv6 in IPv6)
#   gue:  ip fou add port 6080 gue; ip link set tunl0 up   (fou -6: ip6tnl0)
#   gre:  ip link set gre0 up                 (ip6gre0 for IPv6)
#   and:  rp_filter=0 on the tunnel device (the client's address does not
#         route back through the tunnel)
#
#   director: ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.11 -i
#             ipvsadm -a -t 192.0.2.1:81 -r 198.51.100.11 -i --tun-type gue --tun-port 6080
#             ipvsadm -a -t 192.0.2.1:82 -r 198.51.100.11 -i --tun-type gre
#
# gue and gre need kernel 5.3 or later; the director (a router back to the
# client here) needs accept_local as in dr.sh.
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2
modprobe fou 2>/dev/null; modprobe fou6 2>/dev/null

sysctls d1 net.ipv4.conf.all.accept_local=1 net.ipv4.conf.eth1.accept_local=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
for r in r1 r2; do
    batch $r <<EOF2 || fail "tunnel devices in $r"
addr add $VIP/32 dev lo
addr add $VIP6/128 dev lo
link set tunl0 up
link set gre0 up
link set ip6tnl0 up
link set ip6gre0 up
fou add port 6080 gue
fou add port 6080 gue -6
EOF2
    sysctls $r net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tunl0.rp_filter=0 \
        net.ipv4.conf.gre0.rp_filter=0
done

# One virtual port per encapsulation (80 ipip, 81 gue, 82 gre). A tunnel
# keeps the virtual port (no rewrite, as direct routing), so the real
# servers also listen on 81 and 82.
set -- ipip:80: gue:81:"--tun-type gue --tun-port 6080" gre:82:"--tun-type gre"
for spec in "$@"; do
    kind=${spec%%:*}; rest=${spec#*:}; port=${rest%%:*}; opts=${rest#*:}
    for fam in 4 6; do
        if [ $fam = 4 ]; then v=$VIP; else v=[$VIP6]; fi
        ipvs -A -t $v:$port -s rr
        ipvs -a -t $v:$port -r $([ $fam = 4 ] && rs_addr 1 || rs_addr 1 6) -i $opts
        ipvs -a -t $v:$port -r $([ $fam = 4 ] && rs_addr 2 || rs_addr 2 6) -i $opts
    done
done
for r in r1 r2; do
    on $r socat TCP6-LISTEN:81,ipv6only=0,fork,reuseaddr EXEC:"cat $LAB/name.$r -" </dev/null >/dev/null 2>&1 &
    on $r socat TCP6-LISTEN:82,ipv6only=0,fork,reuseaddr EXEC:"cat $LAB/name.$r -" </dev/null >/dev/null 2>&1 &
    wait_for 20 listening $r 82
done

# What the real servers decapsulated: packets received on the ipip and
# gre devices and UDP datagrams (gue), summed over r1 and r2.
# counters 4|6 -> "IPIP GRE UDP"
counters() {
    local f=$1 r tun gre t=0 g=0 u=0
    if [ $1 = 4 ]; then tun=tunl0 gre=gre0; else tun=ip6tnl0 gre=ip6gre0; fi
    for r in r1 r2; do
        set -- $(on $r sh -c "sed 's/:/ /' /proc/net/dev; cat /proc/net/snmp /proc/net/snmp6" | awk -v t=$tun -v g=$gre -v f=$f '
            $1 == t { tp = $3 } $1 == g { gp = $3 }
            f == 4 && $1 == "Udp:" && $2 ~ /^[0-9]+$/ { up = $2 }
            f == 6 && $1 == "Udp6InDatagrams" { up = $2 }
            END { print tp + 0, gp + 0, up + 0 }')
        t=$((t + $1)) g=$((g + $2)) u=$((u + $3))
    done
    echo $t $g $u
}

# rr: exactly 5 each of 10 per encapsulation and family (see nat.sh). A
# real server that cannot decapsulate answers nothing. And the requests
# arrived in the asked encapsulation: 10 requests are at least 30 packets
# (SYN, ACK, FIN) on the expected path, none on the other tunnel device
# (a tool that ignored --tun-type would send ipip, which tunl0 also takes).
for spec in ipip:80 gue:81 gre:82; do
    kind=${spec%%:*}; port=${spec#*:}
    for h in $VIP [$VIP6]; do
        [ $h = $VIP ] && fam=4 || fam=6
        set -- $(counters $fam)
        t0=$1 g0=$2 u0=$3
        hits 10 $h $port
        summary
        expect "$kind $h: answers from r1" $(count r1) eq 5
        expect "$kind $h: answers from r2" $(count r2) eq 5
        set -- $(counters $fam)
        dt=$(($1 - t0)) dg=$(($2 - g0)) du=$(($3 - u0))
        say "$kind $h: received on the ipip device $dt, on the gre device $dg, UDP $du"
        case $kind in
            ipip) expect "$kind $h: ipip packets" $dt ge 30
                  expect "$kind $h: gre packets" $dg eq 0
                  expect "$kind $h: UDP datagrams" $du eq 0 ;;
            gue)  expect "$kind $h: UDP (gue) datagrams" $du ge 30
                  expect "$kind $h: gre packets" $dg eq 0 ;;
            gre)  expect "$kind $h: gre packets" $dg ge 30
                  expect "$kind $h: ipip packets" $dt eq 0
                  expect "$kind $h: UDP datagrams" $du eq 0 ;;
        esac
    done
done
ipvs -L -n > $LAB/list
expect "listed as Tunnel" $(grep -c 'Tunnel' $LAB/list) eq 12
lab_done
