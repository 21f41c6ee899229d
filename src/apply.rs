//! `--apply`: make the kernel's table equal to a rule file with the fewest
//! changes, editing in place what an edit can change so that established
//! connections survive.
//!
//! Pure: [`target`] turns the checked commands of a rule file (read by
//! [`crate::restore::read_all`], the same reading and checks as `-R`) into
//! the table they describe, and [`plan`] compares a table with it and
//! gives the changes, as [`Command`]s, in the order to make them. The CLI
//! reads the kernel's table, sends the plan in batches (or prints it with
//! `--dry-run`).

use std::collections::HashMap;

use crate::grammar::Command;
use crate::model::{Dest, Forward, Service, ServiceEntry, ServiceFlags, ServiceKey};
use crate::output::{compare_dests, compare_services};

/// A rule file whose lines the grammar takes but that does not describe a
/// table: a line that is not a change of services and real servers, or a
/// change the table it builds cannot take (a service added twice, a real
/// server of a service the file does not have...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotATable {
    /// The line, from 1.
    pub line: usize,
    /// Why, in a few words.
    pub why: String,
}

/// The table a rule file describes: its commands carried out, in order, on
/// an empty table (`-C` empties it again; `-E`, `-e`, `-D`, `-d` change
/// what earlier lines made). Services stay in the order they were added,
/// real servers too. Only changes of services and real servers are taken.
pub fn target(commands: &[(usize, Command)]) -> Result<Vec<ServiceEntry>, NotATable> {
    let mut table: Vec<ServiceEntry> = Vec::new();
    for (line, command) in commands {
        let fail = |why: &str| NotATable { line: *line, why: why.to_string() };
        let find = |table: &[ServiceEntry], key: &ServiceKey| {
            table.iter().position(|e| e.service.key == *key)
        };
        match command {
            Command::AddService(s) => {
                if find(&table, &s.key).is_some() {
                    return Err(fail("Service already exists"));
                }
                table.push(ServiceEntry { service: s.clone(), dests: Vec::new() });
            }
            Command::EditService(s) => {
                let i = find(&table, &s.key).ok_or_else(|| fail("No such service"))?;
                table[i].service = s.clone();
            }
            Command::DeleteService(k) => {
                let i = find(&table, k).ok_or_else(|| fail("No such service"))?;
                table.remove(i);
            }
            Command::Flush => table.clear(),
            Command::AddDest(k, d) | Command::EditDest(k, d) | Command::DeleteDest(k, d) => {
                let i = find(&table, k).ok_or_else(|| fail("Service not defined"))?;
                let dests = &mut table[i].dests;
                let at = dests.iter().position(|x| x.same_server(d));
                match (command, at) {
                    (Command::AddDest(..), None) => dests.push(d.clone()),
                    (Command::AddDest(..), Some(_)) => {
                        return Err(fail("Destination already exists"))
                    }
                    (Command::EditDest(..), Some(j)) => dests[j] = d.clone(),
                    (_, Some(j)) => {
                        dests.remove(j);
                    }
                    (_, None) => return Err(fail("No such destination")),
                }
            }
            _ => {
                return Err(fail(
                    "not a change of services or real servers (--apply takes -A -E -D -C -a -e -d lines)",
                ))
            }
        }
    }
    Ok(table)
}

/// Whether two services are the same as far as a rule file can say (the
/// kernel's own flag bits and the counters aside).
pub fn same_service(a: &Service, b: &Service) -> bool {
    let flags = |s: &Service| s.flags.0 & !ServiceFlags::HASHED;
    a.key == b.key
        && a.scheduler == b.scheduler
        && flags(a) == flags(b)
        && a.timeout == b.timeout
        && a.netmask == b.netmask
        && a.pe_name == b.pe_name
}

/// Whether two real servers of a service are the same as far as a rule
/// file can say: the kernel marks servers on local addresses "Local",
/// which restore format writes (and sets) as direct routing; tunnel
/// settings count only for tunnels (restore format has them only there).
pub fn same_dest(a: &Dest, b: &Dest) -> bool {
    let forward = |d: &Dest| match d.forward {
        Forward::Local => Forward::Route,
        f => f,
    };
    let tunnel = |d: &Dest| (d.forward == Forward::Tunnel).then_some((d.tun_type, d.tun_port, d.tun_flags));
    a.same_server(b)
        && forward(a) == forward(b)
        && a.weight == b.weight
        && a.u_threshold == b.u_threshold
        && a.l_threshold == b.l_threshold
        && tunnel(a) == tunnel(b)
}

/// The changes that make `current` equal to `target`, fewest first: only
/// what differs, an edit for what an edit can change (a service's
/// scheduler, flags, persistence, netmask and engine; a real server's
/// forwarding method, weight, thresholds and tunnel settings), an addition
/// for what is missing, a deletion for what is extra (a service's real
/// servers go with it).
///
/// The order never makes the kernel refuse a change, because each change
/// only needs what is already there or was made before it, and nothing
/// later needs what it removes:
/// 1. real servers to delete, of the services that stay (their service
///    is still there; removing them first also means a real server that
///    leaves takes no new connections while the others change);
/// 2. service edits and additions (in the file's order): a service must
///    exist before its real servers are added or edited, and a new
///    scheduler sees the final set of real servers as they arrive;
/// 3. real-server edits and additions (in the file's order), into
///    services that now exist;
/// 4. services to delete, with their real servers in one change; nothing
///    after refers to them (keys of services to add and to delete never
///    overlap: a service in both tables is kept and edited).
pub fn plan(current: &[ServiceEntry], target: &[ServiceEntry]) -> Vec<Command> {
    let now: HashMap<ServiceKey, &ServiceEntry> =
        current.iter().map(|e| (e.service.key, e)).collect();
    let wanted: HashMap<ServiceKey, &ServiceEntry> =
        target.iter().map(|e| (e.service.key, e)).collect();
    let mut current_sorted: Vec<&ServiceEntry> = current.iter().collect();
    current_sorted.sort_by(|a, b| compare_services(&a.service.key, &b.service.key));

    let mut changes = Vec::new();
    // 1. real servers to delete, of kept services
    for entry in &current_sorted {
        let key = entry.service.key;
        let Some(want) = wanted.get(&key) else { continue };
        let mut extra: Vec<&Dest> = entry
            .dests
            .iter()
            .filter(|d| !want.dests.iter().any(|w| w.same_server(d)))
            .collect();
        extra.sort_by(|a, b| compare_dests(a, b));
        changes.extend(extra.into_iter().map(|d| Command::DeleteDest(key, d.clone())));
    }
    // 2. services to edit or add
    for entry in target {
        match now.get(&entry.service.key) {
            None => changes.push(Command::AddService(entry.service.clone())),
            Some(have) if !same_service(&have.service, &entry.service) => {
                changes.push(Command::EditService(entry.service.clone()))
            }
            Some(_) => {}
        }
    }
    // 3. real servers to edit or add
    for entry in target {
        let key = entry.service.key;
        let have: &[Dest] = now.get(&key).map_or(&[], |e| &e.dests);
        for d in &entry.dests {
            match have.iter().find(|h| h.same_server(d)) {
                None => changes.push(Command::AddDest(key, d.clone())),
                Some(h) if !same_dest(h, d) => changes.push(Command::EditDest(key, d.clone())),
                Some(_) => {}
            }
        }
    }
    // 4. services to delete
    for entry in &current_sorted {
        if !wanted.contains_key(&entry.service.key) {
            changes.push(Command::DeleteService(entry.service.key));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::NoNames;
    use crate::restore::read_all;

    /// The table of a rule file (which must be good).
    fn table(text: &str) -> Vec<ServiceEntry> {
        let commands = read_all("ipvsadm", text.as_bytes(), &NoNames).unwrap();
        target(&commands).unwrap()
    }

    /// The plan from one rule file's table to another's, as dry-run lines.
    fn lines(from: &str, to: &str) -> Vec<String> {
        plan(&table(from), &table(to))
            .iter()
            .map(|c| {
                let mut out = Vec::new();
                crate::output::write_change(&mut out, c).unwrap();
                String::from_utf8(out).unwrap().trim_end().to_string()
            })
            .collect()
    }

    /// `table` carried out on `from` by the model: what the kernel would
    /// hold after the plan.
    fn carry_out(from: &[ServiceEntry], changes: &[Command]) -> Vec<ServiceEntry> {
        let mut commands: Vec<(usize, Command)> = Vec::new();
        for e in from {
            commands.push((0, Command::AddService(e.service.clone())));
            for d in &e.dests {
                commands.push((0, Command::AddDest(e.service.key, d.clone())));
            }
        }
        commands.extend(changes.iter().cloned().map(|c| (0, c)));
        // Every change must be one the table can take, in this order.
        target(&commands).unwrap()
    }

    fn canonical(t: &[ServiceEntry]) -> Vec<String> {
        let mut out = Vec::new();
        crate::output::write_save(&mut out, t, &Default::default(), &crate::output::Numeric).unwrap();
        String::from_utf8(out).unwrap().lines().map(str::to_string).collect()
    }

    const START: &str = "-A -t 192.0.2.1:80 -s rr\n\
        -a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n\
        -a -t 192.0.2.1:80 -r 198.51.100.3:80 -m -w 1\n\
        -A -u 192.0.2.1:53 -s wlc\n\
        -a -u 192.0.2.1:53 -r 198.51.100.4:53 -g -w 2\n\
        -A -f 7 -6 -s sh -b sh-port\n";

    #[test]
    fn equal_tables_need_nothing() {
        assert!(lines(START, START).is_empty());
        // Line order in the file does not matter.
        let shuffled: String = {
            let mut l: Vec<&str> = START.lines().collect();
            l.swap(1, 2);
            l.join("\n")
        };
        assert!(lines(START, &shuffled).is_empty());
    }

    #[test]
    fn edits_in_place_and_orders_deletions_first_and_last() {
        let to = "-A -t 192.0.2.1:80 -s wrr -p 60\n\
            -a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 5 -x 100 -y 10\n\
            -a -t 192.0.2.1:80 -r 198.51.100.9:80 -m -w 1\n\
            -A -f 7 -6 -s sh -b sh-port\n\
            -a -f 7 -6 -r 2001:db8::5 -i --tun-type gue --tun-port 6080 --tun-csum\n\
            -A -t [2001:db8::1]:443\n";
        assert_eq!(
            lines(START, to),
            vec![
                "-d -t 192.0.2.1:80 -r 198.51.100.3:80",
                "-E -t 192.0.2.1:80 -s wrr -p 60",
                "-A -t [2001:db8::1]:443 -s wlc",
                "-e -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 5 -x 100 -y 10",
                "-a -t 192.0.2.1:80 -r 198.51.100.9:80 -m -w 1",
                "-a -f 7 -6 -r [2001:db8::5]:0 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum",
                "-D -u 192.0.2.1:53",
            ]
        );
    }

    #[test]
    fn what_an_edit_can_change_is_never_deleted() {
        // Forwarding method, tunnel settings, weight, thresholds: edits.
        let from = "-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.2 -g\n";
        let to = "-A -t 192.0.2.1:80 -s rr -p -M 255.255.255.0 --pe sip\n\
                  -a -t 192.0.2.1:80 -r 198.51.100.2 -i --tun-type gre --tun-csum -w 3 -x 5\n";
        let got = lines(from, to);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].starts_with("-E ") && got[1].starts_with("-e "), "{got:?}");
        // The kernel's own bits and a local real server do not count.
        let mut kernel = table(from);
        kernel[0].service.flags.0 |= ServiceFlags::HASHED;
        kernel[0].dests[0].forward = Forward::Local;
        kernel[0].dests[0].active_conns = 3;
        assert!(plan(&kernel, &table(from)).is_empty());
        // A masqueraded server on another port is another server.
        let to = "-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m\n";
        assert_eq!(
            lines(from, to),
            vec![
                "-d -t 192.0.2.1:80 -r 198.51.100.2:80",
                "-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 1"
            ]
        );
    }

    #[test]
    fn a_plan_carried_out_gives_the_target_and_then_nothing() {
        let targets = [
            "",
            "-A -t 192.0.2.1:80 -s rr\n",
            "-C\n-A -u 192.0.2.1:53 -s lc\n-a -u 192.0.2.1:53 -r 198.51.100.4:53 -m -w 0\n",
            "-A -t 192.0.2.1:80 -s rr\n-A -t 192.0.2.2:80\n-a -t 192.0.2.2:80 -r 198.51.100.2\n-D -t 192.0.2.1:80\n-e -t 192.0.2.2:80 -r 198.51.100.2 -w 9\n",
        ];
        for to in targets {
            for from in [START, "", to] {
                let changes = plan(&table(from), &table(to));
                let after = carry_out(&table(from), &changes);
                assert_eq!(canonical(&after), canonical(&table(to)), "{from} -> {to}");
                assert!(plan(&after, &table(to)).is_empty());
            }
        }
    }

    #[test]
    fn files_that_are_not_tables_are_refused_with_their_line() {
        let refused = |text: &str| {
            let commands = read_all("ipvsadm", text.as_bytes(), &NoNames).unwrap();
            target(&commands).unwrap_err()
        };
        let e = refused("-A -t 192.0.2.1:80\n-A -t 192.0.2.1:80 -s rr\n");
        assert_eq!((e.line, e.why.as_str()), (2, "Service already exists"));
        assert_eq!(refused("-a -t 192.0.2.1:80 -r 198.51.100.2\n").why, "Service not defined");
        assert_eq!(refused("\n-A -t 192.0.2.1:80\n-L -n\n").line, 3);
        assert_eq!(refused("-E -t 192.0.2.1:80\n").why, "No such service");
        assert_eq!(
            refused("-A -t 192.0.2.1:80\n-d -t 192.0.2.1:80 -r 198.51.100.2\n").why,
            "No such destination"
        );
        assert!(refused("--set 1 2 3\n").why.contains("--apply takes"));
    }
}
