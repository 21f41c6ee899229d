#!/bin/sh
# Recipe: direct routing (gatewaying, -g), IPv4 and IPv6.
#
# The director only changes the destination MAC address of a request: the
# real servers must share a link with it and accept packets for the
# virtual address themselves, so they hold it on a non-ARPing interface
# (lo) and must not answer ARP for it (arp_ignore=1, announce it never as
# a source in ARP: arp_announce=2). They reply straight to the client with
# the virtual address as source.
#
# In this lab the director is also the router back to the client, so the
# replies cross it: with the virtual address local to it, it would drop
# them as martians; accept_local=1 and rp_filter=0 on its back interface
# let them through. (A real-server router elsewhere needs none of this.)
#
#   director:     ipvsadm -A -t 192.0.2.1:80 -s rr
#                 ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.11 -g
#   real server:  ip addr add 192.0.2.1/32 dev lo
#                 sysctl net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2

# The services first: as long as the real servers do not hold the virtual
# address, they drop what the director forwards (it keeps the destination
# address: that is what direct routing is), so there is no answer.
ipvs -A -t $VIP:80 -s rr
ipvs -a -t $VIP:80 -r $(rs_addr 1) -g
ipvs -a -t $VIP:80 -r $(rs_addr 2) -g
ipvs -A -t [$VIP6]:80 -s rr
ipvs -a -t [$VIP6]:80 -r $(rs_addr 1 6) -g
ipvs -a -t [$VIP6]:80 -r $(rs_addr 2 6) -g
expect_same "$VIP without the address on the real servers" $(ask $VIP 80 "" 3) none
expect_same "[$VIP6] without the address on the real servers" $(ask [$VIP6] 80 "" 3) none

sysctls d1 net.ipv4.conf.all.accept_local=1 net.ipv4.conf.eth1.accept_local=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
for r in r1 r2; do
    $IP -n fw-$r addr add $VIP/32 dev lo
    $IP -n fw-$r addr add $VIP6/128 dev lo
    sysctls $r net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
done

# rr: exactly 10 each of 20 (see nat.sh; 20 in turn are 10 each whichever
# server's turn it is after the refused request above). The real-server
# port is the virtual port: direct routing rewrites nothing.
for h in $VIP [$VIP6]; do
    hits 20 $h 80
    summary
    expect "$h dr rr: answers from r1" $(count r1) eq 10
    expect "$h dr rr: answers from r2" $(count r2) eq 10
done

# No real server answers ARP for the virtual address: the director's
# neighbour table has no entry for it on the back link.
expect "director learnt no neighbour for $VIP" \
    $($IP -n fw-d1 neigh show dev eth1 | grep -c "^$VIP ") eq 0
ipvs -L -n > $LAB/list
expect "listed as Route" $(grep -c 'Route' $LAB/list) eq 4
lab_done
