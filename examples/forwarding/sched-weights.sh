#!/bin/sh
# Recipe: rr and wrr, and weight 0.
#
# rr takes the real servers in turn and ignores weights, except that a
# weight of 0 takes a server out of scheduling (existing connections stay;
# a way to drain it). wrr takes each server as often as its weight in every
# cycle of sum(weights) connections.
#
#   ipvsadm -A -t 192.0.2.1:80 -s wrr
#   ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.11:80 -m -w 3
#   ipvsadm -e -t 192.0.2.1:80 -r 198.51.100.13:80 -m -w 0     (drain)
#
# Both are deterministic: over whole cycles the counts are exact, so the
# checks are exact. A weight sent wrongly (another byte order, another
# attribute) would give other counts: 3:2:1 cannot come out of any other
# weight set with the same sum ordering, and weight 0 would not be 0.
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 3

ipvs -A -t $VIP:80 -s rr
ipvs -a -t $VIP:80 -r $(rs_addr 1):80 -m -w 1
ipvs -a -t $VIP:80 -r $(rs_addr 2):80 -m -w 5
ipvs -a -t $VIP:80 -r $(rs_addr 3):80 -m -w 0
hits 20 $VIP 80
summary
expect "rr 1,5,0: r1" $(count r1) eq 10
expect "rr 1,5,0: r2" $(count r2) eq 10
expect "rr 1,5,0: r3 (weight 0)" $(count r3) eq 0

# wrr 3:2:1 over 60 connections = 10 cycles of 6.
ipvs -A -t $VIP:81 -s wrr
ipvs -a -t $VIP:81 -r $(rs_addr 1):80 -m -w 3
ipvs -a -t $VIP:81 -r $(rs_addr 2):80 -m -w 2
ipvs -a -t $VIP:81 -r $(rs_addr 3):80 -m -w 1
hits 60 $VIP 81
summary
expect "wrr 3:2:1: r1" $(count r1) eq 30
expect "wrr 3:2:1: r2" $(count r2) eq 20
expect "wrr 3:2:1: r3" $(count r3) eq 10

# Drain r3 (weight 0): 30 connections = 6 cycles of 5 (3:2:0).
ipvs -e -t $VIP:81 -r $(rs_addr 3):80 -m -w 0
hits 30 $VIP 81
summary
expect "wrr 3:2:0: r1" $(count r1) eq 18
expect "wrr 3:2:0: r2" $(count r2) eq 12
expect "wrr 3:2:0: r3 (weight 0)" $(count r3) eq 0
ipvs -L -n -t $VIP:81 > $LAB/list
expect "r3 listed with weight 0" $(grep -c "198\.51\.100\.13:80 *Masq *0 " $LAB/list) eq 1
lab_done
