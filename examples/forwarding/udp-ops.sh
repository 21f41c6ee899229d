#!/bin/sh
# Recipe: a UDP service with one-packet scheduling (-o).
#
# IPVS normally keeps a UDP "connection" per client address and port, so
# every datagram of one client socket goes to the same real server until
# the UDP timeout. With -o (one-packet scheduling) each datagram is
# scheduled on its own and no connection entry stays: right for
# request/response protocols such as DNS or syslog over UDP.
#
#   ipvsadm -A -u 192.0.2.1:54 -s rr -o
#   ipvsadm -a -u 192.0.2.1:54 -r 198.51.100.11:53 -m
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2

for v in $VIP [$VIP6]; do
    for port in 53 54; do
        [ $port = 54 ] && ops=-o || ops=
        ipvs -A -u $v:$port -s rr $ops
        for i in 1 2; do
            [ $v = $VIP ] && a=$(rs_addr $i) || a=[$(rs_addr $i 6)]
            ipvs -a -u $v:$port -r $a:53 -m
        done
    done
done

# 10 datagrams from one client port to each service. Without -o they are
# one connection: exactly one real server gets all 10. With -o rr takes
# turns per datagram: exactly 5 each.
for v in $VIP [$VIP6]; do
    [ $v = $VIP ] && fam=4 || fam=6
    plain=plain$fam ops=ops$fam
    for i in 1 2 3 4 5 6 7 8 9 10; do
        udp_send $v 53 $plain ,sourceport=64000,reuseaddr
        udp_send $v 54 $ops ,sourceport=64001,reuseaddr
    done
    wait_for 30 test "$(udp_total $plain)" -ge 10
    wait_for 30 test "$(udp_total $ops)" -ge 10
    a=$(udp_count r1 $plain) b=$(udp_count r2 $plain)
    say "$v without -o: r1=$a r2=$b"
    expect "$v without -o: datagrams at the busier server" $(( a > b ? a : b )) eq 10
    expect "$v without -o: datagrams at the other" $(( a > b ? b : a )) eq 0
    a=$(udp_count r1 $ops) b=$(udp_count r2 $ops)
    say "$v with -o: r1=$a r2=$b"
    expect "$v with -o: datagrams at r1" $a eq 5
    expect "$v with -o: datagrams at r2" $b eq 5
done
# One connection entry per family for the plain service, none for -o.
conns > $LAB/conns
expect "entries of the plain services" $(grep -c "UDP .*:53 " $LAB/conns) eq 2
expect "entries of the -o services" $(grep -c "UDP .*:54 " $LAB/conns) eq 0
lab_done
