#!/bin/sh
# Recipe: NAT (masquerading), IPv4 and IPv6.
#
# The director rewrites the destination of each request to a real server
# and the source of each reply back to the virtual address, so the replies
# must come back through it: the real servers route via the director
# (their default route in lab.sh). Real servers need nothing else.
#
#   ipvsadm -A -t 192.0.2.1:80 -s rr
#   ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.11:80 -m
#   ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.12:80 -m
#   (the same with [2001:db8:2::1]:80 and [2001:db8::11]:80 ...)
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2

ipvs -A -t $VIP:80 -s rr
ipvs -a -t $VIP:80 -r $(rs_addr 1):80 -m
ipvs -a -t $VIP:80 -r $(rs_addr 2):80 -m
ipvs -A -t [$VIP6]:80 -s rr
ipvs -a -t [$VIP6]:80 -r [$(rs_addr 1 6)]:80 -m
ipvs -a -t [$VIP6]:80 -r [$(rs_addr 2 6)]:80 -m

# rr hands out new connections in turn: 20 requests are exactly 10 each.
# A service that forwarded to one server only, or lost replies, cannot
# give 10/10.
for h in $VIP [$VIP6]; do
    hits 20 $h 80
    summary
    expect "$h rr: answers from r1" $(count r1) eq 10
    expect "$h rr: answers from r2" $(count r2) eq 10
done

# The director lists every connection it made (TIME_WAIT now), 10 per real
# server and family.
conns > $LAB/conns
for a in $(rs_addr 1) $(rs_addr 2) $(rs_addr 1 6) $(rs_addr 2 6); do
    expect "connections listed to $a" $(grep -c " $a:80\$\| \[$a\]:80\$" $LAB/conns) eq 10
done
lab_done
