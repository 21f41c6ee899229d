#!/bin/sh
# Recipe: persistence (-p): a client sticks to one real server while it
# keeps coming back within the timeout; with -M, clients of one netmask
# group share it; after the timeout the choice is free again.
#
#   ipvsadm -A -u 192.0.2.1:53 -s rr -p 10 -M 255.255.255.252
#   ipvsadm --set 0 0 5          (UDP entries expire 5 s after the last datagram)
#
# IPVS keeps a template per client group (listed by -L -c with the masked
# address and port 0) as long as connections of the group exist and for
# the persistence timeout after. UDP here, with a short UDP timeout, so the
# test can wait for the expiry (a TCP connection stays in TIME_WAIT for
# 2 minutes and holds the template that long). The real servers record
# each datagram: that is the answer of which server got it.
#
# rr with three servers gives three different servers to three new
# templates in a row, so every check is exact. Timing: a template lives
# 10 s after its last connection (each 5 s after its datagram) expired,
# so the few seconds between one client's datagrams and the next group's
# on a busy emulated machine are well inside it; the expiry itself is
# waited for (up to 90 s).
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 3

ipvs --set 0 0 5
ipvs -A -u $VIP:53 -s rr -p 10 -M 255.255.255.252
for i in 1 2 3; do ipvs -a -u $VIP:53 -r $(rs_addr $i):53 -m; done

# send TAG CLIENT COUNT: COUNT datagrams from new source ports (each a new
# connection), waits until they arrived; prints where they went.
port=62000
send() {
    local i=0
    while [ $i -lt $3 ]; do
        i=$((i + 1)); port=$((port + 1))
        udp_send $VIP 53 $1 ",bind=203.0.113.$2,sourceport=$port"
    done
    wait_for 30 test "$(udp_total $1)" -ge $3
    udp_where $1
}

first=$(send a10 10 6)
expect_same "client .10: 6 connections on one server" "$(echo $first | wc -w)" 1
expect "client .10: datagrams arrived" $(udp_total a10) eq 6
group=$(send a11 11 3)
expect_same "client .11 (same /30 group) on the same server" "$group" "$first"
other=$(send a12 12 3)
expect_same "client .12 (next group): one server" "$(echo $other | wc -w)" 1
expect_differ "client .12 (next group) on another server" "$other" "$first"
conns > $LAB/conns
expect "templates listed for group 203.0.113.8" $(grep -c " 203\.0\.113\.8:0 " $LAB/conns) eq 1
expect "templates listed for group 203.0.113.12" $(grep -c " 203\.0\.113\.12:0 " $LAB/conns) eq 1

# Wait (at most 90 s) until connections and templates have expired.
wait_for 90 sh -c "[ -z \"\$(nsenter --net=$NETNS_DIR/fw-d1 -- $IPVSADM -L -c -n | tail -n +3)\" ]" ||
    fail "connections did not expire"
again=$(send b10 10 1)
say "client .10 went to $first, then $other for .12, then $again after the timeout"
expect_differ "client .10 after the timeout: a new choice (rr's next)" "$again" "$first"
lab_done
