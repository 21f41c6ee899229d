complete -c ipvsadm -l set -d 'set the tcp, tcpfin and udp timeouts (seconds, 0 keeps)' -r -f
complete -c ipvsadm -l start-daemon -d 'start a connection sync daemon' -r -f -a "master\t''
backup\t''"
complete -c ipvsadm -l stop-daemon -d 'stop a connection sync daemon' -r -f -a "master\t''
backup\t''"
complete -c ipvsadm -s t -l tcp-service -d 'TCP virtual service, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -s u -l udp-service -d 'UDP virtual service, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -l sctp-service -d 'SCTP virtual service, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -s f -l fwmark-service -d 'virtual service of a firewall mark' -r -f
complete -c ipvsadm -s s -l scheduler -d 'scheduling algorithm (default wlc)' -r -f -a "rr\t''
wrr\t''
lc\t''
wlc\t''
lblc\t''
lblcr\t''
dh\t''
sh\t''
sed\t''
nq\t''
fo\t''
ovf\t''
mh\t''
twos\t''"
complete -c ipvsadm -s p -l persistent -d 'persistent service, timeout in seconds (default 360)' -r -f
complete -c ipvsadm -s M -l netmask -d 'netmask or prefix length grouping persistent clients' -r -f
complete -c ipvsadm -s r -l real-server -d 'real server, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -s w -l weight -d 'weight of the real server' -r -f
complete -c ipvsadm -s x -l u-threshold -d 'upper connection threshold of the real server' -r -f
complete -c ipvsadm -s y -l l-threshold -d 'lower connection threshold of the real server' -r -f
complete -c ipvsadm -l mcast-interface -d 'interface of the sync daemon' -r -f
complete -c ipvsadm -l pe -d 'persistence engine' -r -f -a "sip\t''"
complete -c ipvsadm -s b -l sched-flags -d 'scheduler flags, comma-separated' -r -f -a "sh-fallback\t''
sh-port\t''
mh-fallback\t''
mh-port\t''
flag-1\t''
flag-2\t''
flag-3\t''"
complete -c ipvsadm -l syncid -d 'sync daemon id, 0 to 255 (default 255)' -r -f
complete -c ipvsadm -l mcast-group -d 'multicast group of the sync daemon' -r -f
complete -c ipvsadm -l mcast-port -d 'UDP port of the sync daemon' -r -f
complete -c ipvsadm -l mcast-ttl -d 'multicast TTL of the sync daemon' -r -f
complete -c ipvsadm -l sync-maxlen -d 'largest sync message, bytes' -r -f
complete -c ipvsadm -l tun-type -d 'tunnel type (default ipip)' -r -f -a "ipip\t''
gue\t''
gre\t''"
complete -c ipvsadm -l tun-port -d 'destination port of GUE tunnels' -r -f
complete -c ipvsadm -l netns -d 'run in this network namespace (a name or a path)' -r -F
complete -c ipvsadm -l apply -d 'make the table equal to a rule file (- for stdin)' -r -F
complete -c ipvsadm -l drain-timeout -d 'with --drain: give up after this many seconds' -r -f
complete -c ipvsadm -s A -l add-service -d 'add a virtual service'
complete -c ipvsadm -s E -l edit-service -d 'change a virtual service'
complete -c ipvsadm -s D -l delete-service -d 'delete a virtual service and its real servers'
complete -c ipvsadm -s C -l clear -d 'delete every virtual service'
complete -c ipvsadm -s L -s l -l list -d 'list the virtual services and their real servers'
complete -c ipvsadm -s a -l add-server -d 'add a real server to a virtual service'
complete -c ipvsadm -s e -l edit-server -d 'change a real server'
complete -c ipvsadm -s d -l delete-server -d 'remove a real server from a virtual service'
complete -c ipvsadm -s R -l restore -d 'read commands from standard input, one a line'
complete -c ipvsadm -s S -l save -d 'print the table as commands that -R reads back'
complete -c ipvsadm -s Z -l zero -d 'reset the counters of one service or of all'
complete -c ipvsadm -s h -l help -d 'print the usage and exit'
complete -c ipvsadm -s v -l version -d 'print the version and exit'
complete -c ipvsadm -s m -l masquerading -d 'forward by masquerading (NAT)'
complete -c ipvsadm -s i -l ipip -d 'forward by tunnelling'
complete -c ipvsadm -s g -l gatewaying -d 'forward by direct routing (the default)'
complete -c ipvsadm -s n -l numeric -d 'print addresses and ports as numbers'
complete -c ipvsadm -s c -l connection -d 'list the connections'
complete -c ipvsadm -l timeout -d 'list the tcp, tcpfin and udp timeouts'
complete -c ipvsadm -l daemon -d 'list the sync daemons'
complete -c ipvsadm -l stats -d 'list with traffic counters'
complete -c ipvsadm -l rate -d 'list with traffic rates'
complete -c ipvsadm -l thresholds -d 'list with thresholds'
complete -c ipvsadm -l persistent-conn -d 'list with persistent connection counts'
complete -c ipvsadm -l nosort -d 'list in the kernel\'s order'
complete -c ipvsadm -l sort -d 'sort the listing (the default)'
complete -c ipvsadm -s X -l exact -d 'print exact numbers, without K, M or G'
complete -c ipvsadm -s 6 -l ipv6 -d 'the firewall-mark service is IPv6'
complete -c ipvsadm -s o -l ops -d 'one-packet scheduling (UDP)'
complete -c ipvsadm -l tun-info -d 'list with tunnel settings'
complete -c ipvsadm -l tun-nocsum -d 'tunnel without checksums'
complete -c ipvsadm -l tun-csum -d 'tunnel with checksums'
complete -c ipvsadm -l tun-remcsum -d 'tunnel with remote checksum offload'
complete -c ipvsadm -l json -d 'list as one JSON document (with -L)'
complete -c ipvsadm -l dry-run -d 'with --apply: print the changes, make none'
complete -c ipvsadm -l drain -d 'weight 0, wait for the connections to end, delete the real server'
complete -c ipvsadm -l drain-inactive -d 'with --drain: wait for inactive connections too'
