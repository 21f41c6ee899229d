#!/bin/sh
# Recipe: the least-connection family: lc, wlc, sed, nq.
#
#   lc   fewest connections: active*256 + inactive, weights ignored
#   wlc  the same divided by the weight (the default scheduler)
#   sed  (active + 1) / weight, inactive ignored
#   nq   an idle server (no active connection) first, else as sed
#
#   ipvsadm -A -t 192.0.2.1:101 -s lc
#   ipvsadm -a -t 192.0.2.1:101 -r 198.51.100.11:80 -m -w 4
#
# Each case holds connections open (ESTABLISHED: active) on r1 and r2,
# placed with weight 0 (a server of weight 0 gets nothing), then sets the
# weights r1=4, r2=1 and makes 3 short requests one after the other (a
# closed request is inactive). The formulas give one server for all three:
#
#   state (active r1, r2)  lc           wlc            sed           nq
#   (2, 1)                 r2 (256<512) r1 (128<256)
#   (2, 0)                                             r1 (3/4<1/1)  r2 (idle)
#
# The choices are deterministic, so the checks are exact; with the weights
# swapped or lost (all 1) wlc and sed would pick r2 here, and lc would not
# differ from wlc.
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2

# case SCHED PORT ON_R1 ON_R2 WANT
case_() {
    local s=$1 p=$2 a=$3 b=$4 want=$5 i=0 got
    ipvs -A -t $VIP:$p -s $s
    ipvs -a -t $VIP:$p -r $(rs_addr 1):80 -m -w 1
    ipvs -a -t $VIP:$p -r $(rs_addr 2):80 -m -w 0
    while [ $i -lt $a ]; do
        i=$((i + 1)); got=$(hold $s-1-$i $VIP $p)
        expect_same "$s: held connection $i placed on" "$got" r1
    done
    ipvs -e -t $VIP:$p -r $(rs_addr 1):80 -m -w 0
    ipvs -e -t $VIP:$p -r $(rs_addr 2):80 -m -w 1
    i=0
    while [ $i -lt $b ]; do
        i=$((i + 1)); got=$(hold $s-2-$i $VIP $p)
        expect_same "$s: held connection $i placed on" "$got" r2
    done
    ipvs -e -t $VIP:$p -r $(rs_addr 1):80 -m -w 4
    ipvs -e -t $VIP:$p -r $(rs_addr 2):80 -m -w 1
    ipvs -L -n -t $VIP:$p | tail -n 2 | sed 's/^/   /'
    hits 3 $VIP $p
    summary
    expect "$s with ($a, $b) active, weights 4:1: requests to $want" $(count $want) eq 3
    for f in $LAB/hold.$s-*.pid; do release $(basename $f .pid | sed 's/^hold\.//'); done
}
case_ lc 101 2 1 r2
case_ wlc 102 2 1 r1
case_ sed 103 2 0 r1
case_ nq 104 2 0 r2
lab_done
