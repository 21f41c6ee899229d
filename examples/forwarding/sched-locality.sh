#!/bin/sh
# Recipe: locality-based least-connection, lblc and lblcr (with
# replication), for caches: the destination address of the request (not
# the client) picks the real server, so each cached site stays on one
# cache. Usually a firewall-mark service catches many destinations.
#
#   nft add rule inet lvs pre ip daddr 192.0.2.16/30 meta mark set 3
#   ipvsadm -A -f 3 -s lblc
#   ipvsadm -a -f 3 -r 198.51.100.11 -m
#
# Here four destinations per scheduler (local to the director, so that
# IPVS sees them), four requests each. Each destination must stay on one
# server; new destinations go to the least loaded server, so the four
# spread over at least two of the three (deterministic: the first two
# destinations meet one idle server at least).
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 3

for a in 16 17 18 19 20 21 22 23; do $IP -n fw-d1 addr add 192.0.2.$a/32 dev lo; done
on d1 $NFT -f - <<EOF2 || fail "nft rules"
table inet lvs {
    chain pre {
        type filter hook prerouting priority mangle; policy accept;
        ip daddr 192.0.2.16/30 tcp dport 80 meta mark set 3
        ip daddr 192.0.2.20/30 tcp dport 80 meta mark set 4
    }
}
EOF2
for m in "3 lblc" "4 lblcr"; do
    set -- $m
    ipvs -A -f $1 -s $2
    for i in 1 2 3; do ipvs -a -f $1 -r $(rs_addr $i) -m; done
done

for s in "lblc 16 17 18 19" "lblcr 20 21 22 23"; do
    set -- $s
    name=$1; shift
    : > $LAB/all
    for a in "$@"; do
        hits 4 192.0.2.$a 80
        say "$name 192.0.2.$a: $(sort $LAB/answers | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
        expect "$name: servers for destination 192.0.2.$a" $(sort -u $LAB/answers | grep -vc none) eq 1
        expect "$name: answered for destination 192.0.2.$a" $(grep -vc none $LAB/answers) eq 4
        cat $LAB/answers >> $LAB/all
    done
    expect "$name: servers over four destinations" $(sort -u $LAB/all | grep -vc none) ge 2
done
lab_done
