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

# One virtual port per encapsulation; the real servers listen on 80, and a
# tunnel forwards to the virtual port: map it back on the real server.
# (Simpler: one service per virtual address; here the ports keep it short.)
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
# The real servers see the virtual port; redirect 81 and 82 to their 80.
for r in r1 r2; do
    on $r socat TCP6-LISTEN:81,ipv6only=0,fork,reuseaddr EXEC:"cat $LAB/name.$r -" </dev/null >/dev/null 2>&1 &
    on $r socat TCP6-LISTEN:82,ipv6only=0,fork,reuseaddr EXEC:"cat $LAB/name.$r -" </dev/null >/dev/null 2>&1 &
    wait_for 20 listening $r 82
done

# rr: exactly 5 each of 10 per encapsulation and family (see nat.sh). A
# real server that cannot decapsulate answers nothing.
for spec in ipip:80 gue:81 gre:82; do
    kind=${spec%%:*}; port=${spec#*:}
    for h in $VIP [$VIP6]; do
        hits 10 $h $port
        summary
        expect "$kind $h: answers from r1" $(count r1) eq 5
        expect "$kind $h: answers from r2" $(count r2) eq 5
    done
done
ipvs -L -n > $LAB/list
expect "listed as Tunnel" $(grep -c 'Tunnel' $LAB/list) eq 12
lab_done
