//! A Redis Cluster of three masters (no replicas) on free loopback ports, plain or TLS, with
//! `cluster-require-full-coverage no`: while a master is down, the other slots keep serving.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::tls::TlsFiles;
use super::{ClientCertificates, PATIENCE, RedisServer, find_on_path, free_port, tls_args};

/// Three masters that share the 16384 slots.
pub(crate) struct RedisCluster {
    nodes: Vec<RedisServer>,
    /// `redis-cli` arguments that reach a node of this cluster (TLS ones, if any).
    cli_tls: Vec<String>,
}

impl RedisCluster {
    /// Starts three nodes and joins them with `redis-cli --cluster create`.
    pub(crate) fn start(tls: Option<&TlsFiles>) -> Self {
        Self::start_nodes(tls, 0)
    }

    /// Three masters with a replica each, which takes over when its master dies.
    pub(crate) fn start_with_replicas() -> Self {
        Self::start_nodes(None, 1)
    }

    fn start_nodes(tls: Option<&TlsFiles>, replicas: usize) -> Self {
        let nodes: Vec<RedisServer> = (0..3 * (1 + replicas))
            .map(|_| {
                let mut extra: Vec<String> = [
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "1000",
                    "--cluster-require-full-coverage",
                    "no",
                    // The default bus port is the client port + 10000, which need not exist.
                    "--cluster-port",
                ]
                .iter()
                .map(|arg| (*arg).to_owned())
                .collect();
                extra.push(free_port().to_string());
                match tls {
                    Some(files) => {
                        extra.extend(tls_args(files, ClientCertificates::Optional));
                        extra.extend(["--tls-cluster".to_owned(), "yes".to_owned()]);
                        RedisServer::start_with(extra, true)
                    }
                    None => RedisServer::start_with(extra, false),
                }
            })
            .collect();
        let cli_tls = match tls {
            Some(files) => {
                let path = |name: &str| files.path(name).display().to_string();
                vec![
                    "--tls".to_owned(),
                    "--cacert".to_owned(),
                    path("ca.pem"),
                    "--cert".to_owned(),
                    path("client.pem"),
                    "--key".to_owned(),
                    path("client.key"),
                ]
            }
            None => Vec::new(),
        };
        let cluster = Self { nodes, cli_tls };
        let mut create = vec!["--cluster".to_owned(), "create".to_owned()];
        create.extend(
            cluster
                .nodes
                .iter()
                .map(|node| format!("127.0.0.1:{}", node.port())),
        );
        create.extend([
            "--cluster-replicas".to_owned(),
            replicas.to_string(),
            "--cluster-yes".to_owned(),
        ]);
        cluster.cli_on(cluster.nodes[0].port(), &create);
        cluster.wait_until_ok();
        cluster
    }

    /// The seed URLs, one per node.
    pub(crate) fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// The node that serves the hash slot of `key`.
    pub(crate) fn node_of(&self, key: &str) -> usize {
        self.try_node_of(key).expect("every slot has a node")
    }

    /// The running node that says it serves the hash slot of `key`, if any.
    fn try_node_of(&self, key: &str) -> Option<usize> {
        let asked = self.nodes.iter().find(|node| node.is_running())?;
        let slot: u16 = self
            .try_cli_on(asked.port(), &["CLUSTER", "KEYSLOT", key])?
            .trim()
            .parse()
            .ok()?;
        (0..self.nodes.len()).find(|&index| {
            self.nodes[index].is_running()
                && self
                    .slots_of(index)
                    .iter()
                    .any(|(first, last)| (*first..=*last).contains(&slot))
        })
    }

    /// Starts moving the hash slot of `key` to the master at `to`, as `redis-cli --cluster
    /// reshard` does: the slot is importing there and migrating here, and every key in it
    /// has moved, so its old master answers `ASK`. Returns the slot.
    pub(crate) fn begin_slot_move(&self, key: &str, to: usize) -> u16 {
        let from = self.node_of(key);
        assert_ne!(from, to, "the slot is already there");
        let (from_port, to_port) = (self.nodes[from].port(), self.nodes[to].port());
        let slot = self
            .cli_on(from_port, &["CLUSTER", "KEYSLOT", key])
            .trim()
            .to_owned();
        let from_id = self
            .cli_on(from_port, &["CLUSTER", "MYID"])
            .trim()
            .to_owned();
        let to_id = self.cli_on(to_port, &["CLUSTER", "MYID"]).trim().to_owned();
        self.cli_on(
            to_port,
            &["CLUSTER", "SETSLOT", &slot, "IMPORTING", &from_id],
        );
        self.cli_on(
            from_port,
            &["CLUSTER", "SETSLOT", &slot, "MIGRATING", &to_id],
        );
        let keys = self.cli_on(from_port, &["CLUSTER", "GETKEYSINSLOT", &slot, "1000"]);
        let keys: Vec<&str> = keys.lines().filter(|line| !line.is_empty()).collect();
        assert!(!keys.is_empty(), "the slot holds the session's keys");
        let port = to_port.to_string();
        let mut migrate = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
        migrate.extend(keys);
        let reply = self.cli_on(from_port, &migrate);
        assert!(reply.trim() == "OK", "MIGRATE: {reply}");
        slot.parse().expect("a slot number")
    }

    /// Ends a move begun by [`RedisCluster::begin_slot_move`]: every master now says the slot
    /// is served at `to`, so its old master answers `MOVED`.
    pub(crate) fn finish_slot_move(&self, slot: u16, to: usize) {
        let to_id = self
            .cli_on(self.nodes[to].port(), &["CLUSTER", "MYID"])
            .trim()
            .to_owned();
        let slot = slot.to_string();
        for node in &self.nodes {
            self.cli_on(node.port(), &["CLUSTER", "SETSLOT", &slot, "NODE", &to_id]);
        }
        self.wait_until_ok();
    }

    /// Kills the node at `index` without saving, as a crash would.
    pub(crate) fn kill_node(&mut self, index: usize) {
        self.nodes[index].kill();
    }

    /// Waits until a running node (a promoted replica) serves the slot of `key`, and every
    /// running node sees all slots served again; returns that node.
    pub(crate) fn wait_for_failover(&self, key: &str) -> usize {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(node) = self.try_node_of(key)
                && self.nodes[node].is_running()
            {
                self.wait_until_ok();
                return node;
            }
            assert!(Instant::now() < deadline, "no replica took over");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the replicas of the master at `index` hold everything it has written.
    pub(crate) fn wait_for_replication(&self, index: usize) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let info = self.cli_on(self.nodes[index].port(), &["INFO", "replication"]);
            let offset = info
                .lines()
                .find_map(|line| line.strip_prefix("master_repl_offset:"))
                .map(str::trim)
                .unwrap_or_default()
                .to_owned();
            let replicas: Vec<&str> = info
                .lines()
                .filter(|line| line.starts_with("slave") && line.contains("offset="))
                .collect();
            let caught_up = !replicas.is_empty()
                && replicas
                    .iter()
                    .all(|line| line.contains(&format!("offset={offset},")));
            if caught_up {
                return;
            }
            assert!(Instant::now() < deadline, "the replicas did not catch up");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops one master as a crash would look to clients (its data and cluster state are
    /// kept on disk, as `SHUTDOWN SAVE` leaves them).
    pub(crate) fn stop_node(&mut self, index: usize) {
        self.nodes[index].stop();
    }

    /// Starts a stopped master again; it rejoins with its slots and data.
    pub(crate) fn start_node_again(&mut self, index: usize) {
        self.nodes[index].start_again();
        self.wait_until_ok();
    }

    /// The slot ranges the node at `index` says it serves.
    fn slots_of(&self, index: usize) -> Vec<(u16, u16)> {
        let Some(nodes) = self.try_cli_on(self.nodes[index].port(), &["CLUSTER", "NODES"]) else {
            return Vec::new();
        };
        let Some(mine) = nodes.lines().find(|line| line.contains("myself,master")) else {
            return Vec::new();
        };
        mine.split_whitespace()
            .skip(8)
            .filter_map(|range| {
                let (first, last) = range.split_once('-').unwrap_or((range, range));
                Some((first.parse().ok()?, last.parse().ok()?))
            })
            .collect()
    }

    /// Waits until every node knows the other two, sees all slots assigned and none
    /// failing, and says `ok` (which alone proves little: with `cluster-require-full-coverage
    /// no` a lone node is `ok` too).
    fn wait_until_ok(&self) {
        let deadline = Instant::now() + PATIENCE * 3;
        loop {
            let known = format!("cluster_known_nodes:{}", self.nodes.len());
            let all_ok = self
                .nodes
                .iter()
                .filter(|node| node.is_running())
                .all(|node| {
                    self.try_cli_on(node.port(), &["CLUSTER", "INFO"])
                        .is_some_and(|info| {
                            [
                                "cluster_state:ok",
                                known.as_str(),
                                "cluster_slots_assigned:16384",
                                "cluster_slots_ok:16384",
                            ]
                            .iter()
                            .all(|line| info.contains(line))
                        })
                });
            if all_ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster did not reach cluster_state:ok"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn cli_on(&self, port: u16, args: &[impl AsRef<str>]) -> String {
        self.try_cli_on(port, args)
            .unwrap_or_else(|| panic!("redis-cli failed on port {port}"))
    }

    fn try_cli_on(&self, port: u16, args: &[impl AsRef<str>]) -> Option<String> {
        let program = find_on_path("redis-cli").unwrap_or_else(|| {
            panic!("redis-cli is not installed: apt-get install -y redis-tools")
        });
        let mut child = Command::new(program)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(&self.cli_tls)
            .args(args.iter().map(AsRef::as_ref))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        // redis-cli has no overall timeout of its own (`--cluster create` waits for the join
        // forever): give it one.
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _killed = child.kill();
                    let _status = child.wait();
                    return None;
                }
            }
        };
        let mut text = String::new();
        let _read = std::io::Read::read_to_string(&mut child.stdout.take()?, &mut text);
        (status.success() && !text.starts_with("ERR") && !text.contains("[ERR]")).then_some(text)
    }
}
