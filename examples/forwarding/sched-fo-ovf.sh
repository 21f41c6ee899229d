#!/bin/sh
# Recipe: weighted failover (fo) and overflow-connection (ovf).
#
#   fo   every new connection to the available server of highest weight
#        (standby servers: lower weights; draining one: weight 0)
#   ovf  to the server of highest weight whose active connections are not
#        above its weight: the weight is a connection limit (the kernel
#        lets a server reach weight + 1 active connections: it checks
#        active > weight before adding one); when all are full, no server
#        (the client is refused)
#
#   ipvsadm -A -t 192.0.2.1:80 -s fo
#   ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.12:80 -m -w 3
#
# Both are deterministic: the checks are exact.
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 3

ipvs -A -t $VIP:80 -s fo
ipvs -a -t $VIP:80 -r $(rs_addr 1):80 -m -w 1
ipvs -a -t $VIP:80 -r $(rs_addr 2):80 -m -w 3
ipvs -a -t $VIP:80 -r $(rs_addr 3):80 -m -w 2
hits 6 $VIP 80
summary
expect "fo 1,3,2: all to r2 (highest weight)" $(count r2) eq 6
ipvs -e -t $VIP:80 -r $(rs_addr 2):80 -m -w 0
hits 6 $VIP 80
summary
expect "fo 1,0,2: all to r3 (next highest)" $(count r3) eq 6

# ovf, weights r1=2, r2=1: held connections fill r1 (3), then r2 (2),
# then nothing is left.
ipvs -A -t $VIP:81 -s ovf
ipvs -a -t $VIP:81 -r $(rs_addr 1):80 -m -w 2
ipvs -a -t $VIP:81 -r $(rs_addr 2):80 -m -w 1
for i in 1 2 3; do expect_same "ovf: held connection $i" $(hold o$i $VIP 81) r1; done
for i in 4 5; do expect_same "ovf: held connection $i (r1 full)" $(hold o$i $VIP 81) r2; done
expect_same "ovf: request 6 (all full)" $(ask $VIP 81) none
# Closing one of r1's connections makes room there again.
release o1
wait_for 30 sh -c "nsenter --net=$NETNS_DIR/fw-d1 -- $IPVSADM -L -n -t $VIP:81 | grep -q '$(rs_addr 1):80 .* 2 *1 *\$'" ||
    fail "the closed connection did not become inactive"
expect_same "ovf: request after closing one on r1" $(ask $VIP 81) r1
for i in 2 3 4 5; do release o$i; done
lab_done
