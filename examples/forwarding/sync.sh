#!/bin/sh
# Recipe: connection synchronisation between a master and a backup
# director, and a failover that keeps persistent clients on their server.
#
# Both directors hold the same virtual service. The master's sync daemon
# multicasts its connections (and persistence templates) on the back link;
# the backup's daemon creates them in its own table. When the backup takes
# over (here by hand: the client and real servers route through it; in
# production a VRRP daemon moves the addresses), a persistent client is
# sent to the real server it had.
#
#   master: ipvsadm --start-daemon master --mcast-interface eth1 --syncid 7
#   backup: ipvsadm --start-daemon backup --mcast-interface eth1 --syncid 7
#   both:   ipvsadm -A -t 192.0.2.1:80 -s rr -p 120; ipvsadm -a ... -m
. "$(dirname "$0")/lab.sh"
lab_start
lab_net 2 2

# The backup lists its real servers in the other order: without synced
# templates its rr would not repeat the master's choices.
ipvs_in d1 -A -t $VIP:80 -s rr -p 120
ipvs_in d1 -a -t $VIP:80 -r $(rs_addr 1):80 -m
ipvs_in d1 -a -t $VIP:80 -r $(rs_addr 2):80 -m
ipvs_in d2 -A -t $VIP:80 -s rr -p 120
ipvs_in d2 -a -t $VIP:80 -r $(rs_addr 2):80 -m
ipvs_in d2 -a -t $VIP:80 -r $(rs_addr 1):80 -m

ipvs_in d1 --start-daemon master --mcast-interface eth1 --syncid 7
ipvs_in d2 --start-daemon backup --mcast-interface eth1 --syncid 7
ipvs_in d1 -L --daemon > $LAB/daemon
expect "master daemon listed" $(grep -c 'master sync daemon (mcast=eth1, syncid=7,' $LAB/daemon) eq 1
ipvs_in d2 -L --daemon > $LAB/daemon
expect "backup daemon listed" $(grep -c 'backup sync daemon (mcast=eth1, syncid=7,' $LAB/daemon) eq 1

# Four clients, two requests each, through the master: each client sticks.
for c in 10 11 12 13; do
    hits 2 $VIP 80 ,bind=203.0.113.$c
    expect "client .$c: servers through the master" $(sort -u $LAB/answers | grep -vc none) eq 1
    head -n 1 $LAB/answers > $LAB/before.$c
done

# template CLIENT DIRECTOR: the real server of the client's persistence
# template in the director's table (-L -c -n: "... CLIENT:0 VIP:80 RS:80").
template() {
    conns $2 | awk -v c="203.0.113.$1:0" '$4 == c { sub(/:80$/, "", $6); print $6 }'
}
# The backup has the master's templates once the daemon sent them (the
# master flushes every second or two; at most 60 s here).
for c in 10 11 12 13; do
    want=$(template $c d1)
    wait_for 60 sh -c "[ -n \"\$(nsenter --net=$NETNS_DIR/fw-d2 -- $IPVSADM -L -c -n | awk '\$4 == \"203.0.113.$c:0\"')\" ]"
    expect_same "client .$c: template synced to the backup" "$(template $c d2)" "$want"
done
n=$(conns d2 | grep -c ' 192\.0\.2\.1:80 ')
expect "backup lists connections and templates" $n ge 12

# Failover: the master goes away, the routes move to the backup.
$IP -n fw-d1 link set eth0 down
$IP -n fw-d1 link set eth1 down
$IP -n fw-c route replace default via 203.0.113.2
for r in r1 r2; do $IP -n fw-$r route replace default via 198.51.100.2; done
for c in 10 11 12 13; do
    got=$(ask $VIP 80 ,bind=203.0.113.$c)
    expect_same "client .$c after failover keeps its server" "$got" "$(cat $LAB/before.$c)"
done
lab_done
