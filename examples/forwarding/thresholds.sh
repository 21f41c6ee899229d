#!/bin/sh
# Recipe: connection thresholds (-x upper, -y lower) of a real server.
#
# When a server's connections (active + inactive) reach the upper
# threshold, it is marked overloaded and gets no new connections; it gets
# them again once its connections fall below the lower threshold.
#
#   ipvsadm -a -u 192.0.2.1:53 -r 198.51.100.11:53 -m -w 10 -x 2 -y 1
#
# UDP flows (each a connection until the UDP timeout, 15 s here) make the
# count easy to drive. fo (weighted failover) sends everything to r1,
# the higher weight, unless r1 is overloaded: without the threshold,
# flows 1-5 would all go to r1; with it, flows 3-5 go to r2. After r1's
# flows expired (below 1), r1 takes new flows again.
#
# Timing: the five flows leave one after the other within a few seconds
# even on a busy emulated machine, well inside the 15 s that keeps r1's
# first two connections alive; the expiry is waited for (up to 90 s).
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2

ipvs --set 0 0 15
ipvs -A -u $VIP:53 -s fo
ipvs -a -u $VIP:53 -r $(rs_addr 1):53 -m -w 10 -x 2 -y 1
ipvs -a -u $VIP:53 -r $(rs_addr 2):53 -m -w 1
ipvs -L -n --thresholds -u $VIP:53 > $LAB/list
expect "thresholds listed (2, 1) for r1" $(grep -c "$(rs_addr 1):53 *2 *1" $LAB/list) eq 1

port=63000
for f in f1 f2 f3 f4 f5; do
    port=$((port + 1))
    udp_send $VIP 53 $f ",sourceport=$port"
done
for f in f1 f2 f3 f4 f5; do wait_for 30 test "$(udp_total $f)" -ge 1; done
expect_same "flow 1" "$(udp_where f1)" r1
expect_same "flow 2" "$(udp_where f2)" r1
expect_same "flow 3 (r1 at its upper threshold)" "$(udp_where f3)" r2
expect_same "flow 4" "$(udp_where f4)" r2
expect_same "flow 5" "$(udp_where f5)" r2
# r1's two entries expire; then it is under its lower threshold.
wait_for 90 sh -c "nsenter --net=$NETNS_DIR/fw-d1 -- $IPVSADM -L -n -u $VIP:53 | grep -q '$(rs_addr 1):53 .* 0 *0 *\$'" ||
    fail "r1's connections did not expire"
udp_send $VIP 53 f6 ",sourceport=63010"
wait_for 30 test "$(udp_total f6)" -ge 1
expect_same "flow 6 (r1 below its lower threshold)" "$(udp_where f6)" r1
lab_done
