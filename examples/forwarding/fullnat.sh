#!/bin/sh
# Recipe: "full NAT": IPVS masquerading plus source NAT on the director,
# so that real servers need no route back through it (they may sit on any
# network the director reaches). Mainline kernels have no full-NAT
# forwarding method; netfilter does the source half:
#
#   sysctl net.ipv4.vs.conntrack=1       (IPVS keeps conntrack entries,
#                                         which netfilter NAT needs)
#   nft add table inet fullnat
#   nft add chain inet fullnat post '{ type nat hook postrouting priority srcnat; }'
#   nft add rule inet fullnat post oifname eth1 ip daddr 198.51.100.0/24 snat ip to 198.51.100.1
#   ipvsadm -A -t 192.0.2.1:8080 -s rr
#   ipvsadm -a -t 192.0.2.1:8080 -r 198.51.100.11:8080 -m
#
# The real servers then see the director's address as the client's
# (applications that need the client address must get it otherwise, e.g.
# the PROXY protocol or X-Forwarded-For).
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2
wait_for 20 listening r2 8080

# The real servers have no route to the client network.
for r in r1 r2; do
    $IP -n fw-$r route del default
    $IP -n fw-$r -6 route del default
done
ipvs -A -t $VIP:8080 -s rr
ipvs -a -t $VIP:8080 -r $(rs_addr 1):8080 -m
ipvs -a -t $VIP:8080 -r $(rs_addr 2):8080 -m
ipvs -A -t [$VIP6]:8080 -s rr
ipvs -a -t [$VIP6]:8080 -r [$(rs_addr 1 6)]:8080 -m
ipvs -a -t [$VIP6]:8080 -r [$(rs_addr 2 6)]:8080 -m

# Without the source NAT the replies have no way back.
expect_same "masquerading alone (no route back)" "$(ask $VIP 8080 "" 3)" none

sysctls d1 net.ipv4.vs.conntrack=1
on d1 $NFT -f - <<EOF2 || fail "nft rules"
table inet fullnat {
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "eth1" ip daddr 198.51.100.0/24 snat ip to 198.51.100.1
        oifname "eth1" ip6 daddr 2001:db8::/64 snat ip6 to 2001:db8::1
    }
}
EOF2

# rr, 10 requests per family: exactly 5 each, and every real server saw
# the director's address as the source (socat writes the peer in full
# IPv6 notation: 198.51.100.1 is ::ffff:c633:6401).
for h in $VIP [$VIP6]; do
    if [ $h = $VIP ]; then src=0000:0000:0000:0000:0000:ffff:c633:6401
    else src=2001:0db8:0000:0000:0000:0000:0000:0001; fi
    : > $LAB/answers; : > $LAB/peers
    for i in 1 2 3 4 5 6 7 8 9 10; do
        set -- $(ask_line $h 8080) none
        echo $1 >> $LAB/answers
        echo "$2" | tr -d '[]' >> $LAB/peers
    done
    say "peers seen: $(sort -u $LAB/peers | tr '\n' ' ')"
    summary
    expect "$h full NAT: answers from r1" $(count r1) eq 5
    expect "$h full NAT: answers from r2" $(count r2) eq 5
    expect "$h full NAT: real servers saw the source $src" $(grep -cx "$src" $LAB/peers) eq 10
done
lab_done
