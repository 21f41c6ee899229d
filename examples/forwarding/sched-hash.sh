#!/bin/sh
# Recipe: source hashing (sh) and maglev hashing (mh); with the sh-port /
# mh-port flag the client's port joins the hash.
#
# sh and mh map the client address to a real server by a hash: the same
# client always lands on the same server (without connection state, which
# survives a director restart); mh keeps most mappings when servers come
# and go. With -b sh-port / -b mh-port the source port is hashed too, so
# one client's connections spread.
#
#   ipvsadm -A -t 192.0.2.1:80 -s sh
#   ipvsadm -A -t 192.0.2.1:81 -s sh -b sh-port
#   ipvsadm -A -t 192.0.2.1:82 -s mh
#   ipvsadm -A -t 192.0.2.1:83 -s mh -b mh-port
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 3

port=80
for s in "sh" "sh -b sh-port" "mh" "mh -b mh-port"; do
    ipvs -A -t $VIP:$port -s $s
    for i in 1 2 3; do ipvs -a -t $VIP:$port -r $(rs_addr $i):80 -m; done
    port=$((port + 1))
done

# The same client, 3 requests from each of 4 addresses: each address sees
# exactly one server (a hash has no randomness: it is always so).
port=80
for s in sh sh-port mh mh-port; do
    for c in 10 11 12 13; do
        hits 3 $VIP $port ,bind=203.0.113.$c
        case $s in
            *-port) ;;
            *) expect "$s: servers seen by client 203.0.113.$c" $(sort -u $LAB/answers | wc -l) eq 1 ;;
        esac
    done
    # One client address, 12 source ports (above the ephemeral range
    # 32768-60999, so that no earlier connection left the same pair in
    # TIME_WAIT): without the port flag, one
    # server; with it, at least 2 of the 3 (12 ports all hashing to one
    # server of 3 has probability 3^-11; the hash is fixed, so a correct
    # setup passes every time).
    : > $LAB/ports
    for p in 0 1 2 3 4 5 6 7 8 9 10 11; do
        ask $VIP $port ",bind=203.0.113.10,sourceport=$((61000 + (port - 80) * 20 + p)),reuseaddr" >> $LAB/ports
    done
    n=$(sort -u $LAB/ports | grep -vc none)
    say "$s: 12 source ports went to: $(sort $LAB/ports | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
    expect "$s: answered requests from 12 ports" $(grep -vc none $LAB/ports) eq 12
    case $s in
        *-port) expect "$s: servers over 12 source ports" $n ge 2 ;;
        *) expect "$s: servers over 12 source ports" $n eq 1 ;;
    esac
    port=$((port + 1))
done
lab_done
