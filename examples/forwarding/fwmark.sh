#!/bin/sh
# Recipe: a firewall-mark service (-f), the mark set by nft.
#
# One virtual service for several ports (or addresses): nft marks the
# packets in prerouting, IPVS schedules everything with that mark. A real
# server given without a port keeps each packet's destination port.
#
#   nft add table inet lvs
#   nft add chain inet lvs pre '{ type filter hook prerouting priority mangle; }'
#   nft add rule inet lvs pre ip daddr 192.0.2.1 tcp dport '{ 80, 8080 }' meta mark set 1
#   ipvsadm -A -f 1 -s rr
#   ipvsadm -a -f 1 -r 198.51.100.11 -m
#   (IPv6: mark 2 for 2001:db8:2::1, ipvsadm -A -f 2 -6 ...)
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2
wait_for 20 listening r2 8080

on d1 $NFT -f - <<EOF2 || fail "nft rules"
table inet lvs {
    chain pre {
        type filter hook prerouting priority mangle; policy accept;
        ip daddr $VIP tcp dport { 80, 8080 } meta mark set 1
        ip6 daddr $VIP6 tcp dport { 80, 8080 } meta mark set 2
    }
}
EOF2

ipvs -A -f 1 -s rr
ipvs -a -f 1 -r $(rs_addr 1) -m
ipvs -a -f 1 -r $(rs_addr 2) -m
ipvs -A -f 2 -6 -s rr
ipvs -a -f 2 -6 -r $(rs_addr 1 6) -m
ipvs -a -f 2 -6 -r $(rs_addr 2 6) -m

# Both ports reach the one service per family; rr alternates over it, so
# 10 requests per port are exactly 5 each (an even count keeps the turn).
for h in $VIP [$VIP6]; do
    for p in 80 8080; do
        hits 10 $h $p
        summary
        expect "$h:$p mark: answers from r1" $(count r1) eq 5
        expect "$h:$p mark: answers from r2" $(count r2) eq 5
    done
done
# An unmarked port reaches no service (the director itself refuses it).
expect_same "unmarked port 81" $(ask $VIP 81) none
conns > $LAB/conns
expect "connections listed for mark 1 (IPv4)" $(grep -c "198\.51\.100\.1[12]:\(80\|8080\)\$" $LAB/conns) eq 20
lab_done
