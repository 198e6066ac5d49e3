//! Spawning, observing and stopping `ocos-node` processes.

use std::{
	ffi::{OsStr, OsString},
	fs::OpenOptions,
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	time::Duration,
};

use anyhow::{bail, Context, Result};
use sp_core::Pair;
use tempfile::TempDir;
use tokio::time::{sleep, Instant};

use crate::rpc::Rpc;

/// How long [`NodeBuilder::start`] waits for the node's RPC server.
pub const RPC_READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How many log lines failure messages quote.
pub const LOG_TAIL_LINES: usize = 60;
/// How long [`Node::stop`] waits after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
/// File in the base directory that receives the node's stdout and stderr.
const LOG_FILE: &str = "node.log";

/// Path of the `ocos-node` binary: `$OCOS_NODE_BIN`, else `ocos-node` in the target directory
/// of the running test executable (`target/<profile>/deps/<test>` → `target/<profile>/`).
pub fn binary() -> Result<PathBuf> {
	let path = match std::env::var_os("OCOS_NODE_BIN") {
		Some(path) => PathBuf::from(path),
		None => std::env::current_exe()
			.context("locating the test executable")?
			.parent()
			.and_then(Path::parent)
			.context("the test executable has no target directory")?
			.join("ocos-node"),
	};
	if !path.is_file() {
		bail!(
			"ocos-node binary not found at {}: build it with the tests' profile first \
			 (`cargo build --release -p ocos-node`) or set OCOS_NODE_BIN",
			path.display()
		);
	}
	Ok(path)
}

/// Runs a one-shot `ocos-node` subcommand (`key insert`, `build-spec`, ...) to completion.
/// Fails, quoting stderr, when it exits unsuccessfully.
pub fn run_subcommand<I, S>(args: I) -> Result<Output>
where
	I: IntoIterator<Item = S>,
	S: AsRef<OsStr>,
{
	let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
	let shown = args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ");
	let output = Command::new(binary()?)
		.args(&args)
		.stdin(Stdio::null())
		.output()
		.with_context(|| format!("running `ocos-node {shown}`"))?;
	if !output.status.success() {
		bail!(
			"`ocos-node {shown}` failed ({}):\n{}",
			output.status,
			String::from_utf8_lossy(&output.stderr)
		);
	}
	Ok(output)
}

/// A node's base directory (database, keystore, log).
#[derive(Debug)]
pub enum BaseDir {
	/// A temporary directory, removed when dropped.
	Temp(TempDir),
	/// A directory owned by the caller, left in place.
	Given(PathBuf),
}

impl BaseDir {
	/// A fresh temporary directory.
	pub fn temp() -> Result<Self> {
		let dir = tempfile::Builder::new()
			.prefix("ocos-e2e-")
			.tempdir()
			.context("creating a temporary base directory")?;
		Ok(Self::Temp(dir))
	}

	/// The directory's path.
	pub fn path(&self) -> &Path {
		match self {
			Self::Temp(dir) => dir.path(),
			Self::Given(path) => path,
		}
	}
}

impl From<PathBuf> for BaseDir {
	fn from(path: PathBuf) -> Self {
		Self::Given(path)
	}
}

/// The last `lines` lines of the log file at `path`, headed by what wrote it (`what`) and the
/// path; an explanation instead if it cannot be read.
pub(crate) fn file_tail(path: &Path, what: &str, lines: usize) -> String {
	match std::fs::read(path) {
		Ok(bytes) => {
			let text = String::from_utf8_lossy(&bytes);
			let all: Vec<&str> = text.lines().collect();
			let tail = &all[all.len().saturating_sub(lines)..];
			format!(
				"--- last {} lines of {what} log {} ---\n{}",
				tail.len(),
				path.display(),
				tail.join("\n")
			)
		}
		Err(e) => format!("--- cannot read {what} log {}: {e} ---", path.display()),
	}
}

/// Ports a node listens on, all on 127.0.0.1.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
	/// libp2p.
	pub p2p: u16,
	/// JSON-RPC over WebSocket and HTTP.
	pub rpc: u16,
	/// Prometheus metrics.
	pub prometheus: u16,
}

impl Ports {
	/// Three distinct free ports (see [`crate::ports`]).
	fn free() -> Result<Self> {
		let ports = crate::ports::free(3)?;
		Ok(Self { p2p: ports[0], rpc: ports[1], prometheus: ports[2] })
	}
}

/// Configures and starts a [`Node`].
///
/// Every node gets `--base-path`, free `--port`/`--rpc-port`/`--prometheus-port`, `--no-mdns`,
/// `--no-telemetry`, `--allow-private-ip` (all peers are on loopback), a random `--node-key`,
/// `--rpc-cors all` and `--name`.
#[derive(Debug, Default)]
pub struct NodeBuilder {
	name: Option<String>,
	base: Option<BaseDir>,
	args: Vec<OsString>,
}

impl NodeBuilder {
	/// A node with no chain chosen yet (the binary's default chain).
	pub fn new() -> Self {
		Self::default()
	}

	/// `--dev`: single-authority development chain, Alice authoring.
	pub fn dev(self) -> Self {
		self.arg("--dev")
	}

	/// `--chain <chain>`: a built-in chain id or the path of a chain spec.
	pub fn chain(self, chain: impl AsRef<OsStr>) -> Self {
		self.arg("--chain").arg(chain)
	}

	/// `--<keyring name>` (e.g. `alice`): a validator holding that well-known key in an
	/// in-memory keystore. Also names the node after it unless [`Self::name`] is set.
	pub fn authority(mut self, keyring_name: &str) -> Self {
		let flag = format!("--{}", keyring_name.to_lowercase());
		if self.name.is_none() {
			self.name = Some(keyring_name.to_owned());
		}
		self.arg(flag)
	}

	/// `--validator`: author and vote with the keys in the node's keystore.
	pub fn validator(self) -> Self {
		self.arg("--validator")
	}

	/// `--bootnodes <multiaddr>`; may be given several times.
	pub fn bootnode(self, multiaddr: impl AsRef<OsStr>) -> Self {
		self.arg("--bootnodes").arg(multiaddr)
	}

	/// Uses `dir` as base path (e.g. one handed back by [`Node::stop`], to restart on the same
	/// database) instead of a fresh temporary directory.
	pub fn base_dir(mut self, dir: impl Into<BaseDir>) -> Self {
		self.base = Some(dir.into());
		self
	}

	/// `--name`; defaults to the authority name or `node-<p2p port>`.
	pub fn name(mut self, name: impl Into<String>) -> Self {
		self.name = Some(name.into());
		self
	}

	/// Any extra command-line argument (e.g. `--worker`, `-lruntime=debug`).
	pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
		self.args.push(arg.as_ref().to_owned());
		self
	}

	/// Spawns the process without waiting for it to be ready.
	pub fn spawn(self) -> Result<Node> {
		let base = match self.base {
			Some(base) => base,
			None => BaseDir::temp()?,
		};
		let base_path = base.path().to_owned();
		std::fs::create_dir_all(&base_path)
			.with_context(|| format!("creating base directory {}", base_path.display()))?;
		let ports = Ports::free()?;
		let name = self.name.unwrap_or_else(|| format!("node-{}", ports.p2p));
		let log_path = base_path.join(LOG_FILE);
		// Appending keeps the previous run's log when a node restarts on the same directory.
		let log = OpenOptions::new()
			.create(true)
			.append(true)
			.open(&log_path)
			.with_context(|| format!("opening {}", log_path.display()))?;
		let node_key = hex::encode(sp_core::ed25519::Pair::generate().1);

		let child = Command::new(binary()?)
			.args(&self.args)
			.arg("--base-path")
			.arg(&base_path)
			.args(["--port", &ports.p2p.to_string()])
			.args(["--rpc-port", &ports.rpc.to_string()])
			.args(["--prometheus-port", &ports.prometheus.to_string()])
			.args(["--no-mdns", "--no-telemetry", "--allow-private-ip"])
			.args(["--node-key", &node_key])
			.args(["--rpc-cors", "all"])
			.args(["--name", &name])
			.stdin(Stdio::null())
			.stdout(log.try_clone().context("duplicating the log file handle")?)
			.stderr(log)
			.spawn()
			.with_context(|| format!("spawning node `{name}`"))?;
		Ok(Node { name, child, ports, base_path, base: Some(base) })
	}

	/// Spawns the process and waits until its RPC server answers.
	pub async fn start(self) -> Result<Node> {
		let mut node = self.spawn()?;
		node.wait_rpc_ready(RPC_READY_TIMEOUT).await?;
		Ok(node)
	}
}

/// A running `ocos-node` process; killed when dropped.
#[derive(Debug)]
pub struct Node {
	name: String,
	child: Child,
	ports: Ports,
	base_path: PathBuf,
	/// Always `Some` until [`Node::stop`] hands it back.
	base: Option<BaseDir>,
}

impl Node {
	/// The node's `--name`.
	pub fn name(&self) -> &str {
		&self.name
	}

	/// The ports the node listens on.
	pub fn ports(&self) -> Ports {
		self.ports
	}

	/// The node's base directory.
	pub fn base_path(&self) -> &Path {
		&self.base_path
	}

	/// WebSocket URL of the node's RPC server.
	pub fn rpc_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.ports.rpc)
	}

	/// Opens a new RPC connection to the node.
	pub async fn rpc(&self) -> Result<Rpc> {
		Rpc::connect(&self.rpc_url()).await.with_context(|| format!("node `{}`", self.name))
	}

	/// Polls until the RPC server answers `system_health`; fails early if the process exits.
	pub async fn wait_rpc_ready(&mut self, timeout: Duration) -> Result<()> {
		let deadline = Instant::now() + timeout;
		loop {
			if let Some(status) = self.child.try_wait().context("polling the node process")? {
				bail!(
					"node `{}` exited ({status}) before its RPC was ready\n{}",
					self.name,
					self.log_tail(LOG_TAIL_LINES)
				);
			}
			let error = match self.rpc().await {
				Ok(rpc) => match rpc.health().await {
					Ok(_) => return Ok(()),
					Err(e) => e,
				},
				Err(e) => e,
			};
			if Instant::now() >= deadline {
				bail!(
					"node `{}` RPC at {} not ready after {timeout:?}; last error: {error:#}\n{}",
					self.name,
					self.rpc_url(),
					self.log_tail(LOG_TAIL_LINES)
				);
			}
			sleep(Duration::from_millis(250)).await;
		}
	}

	/// `/ip4/127.0.0.1/tcp/<p2p port>/p2p/<peer id>`, to bootstrap other nodes from this one.
	pub async fn multiaddr(&self) -> Result<String> {
		let peer_id = self.rpc().await?.local_peer_id().await?;
		Ok(format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", self.ports.p2p))
	}

	/// The last `lines` lines of the node's log, with a heading naming the node and file; for
	/// failure messages, so it never fails itself.
	pub fn log_tail(&self, lines: usize) -> String {
		file_tail(&self.base_path.join(LOG_FILE), &format!("node `{}`", self.name), lines)
	}

	/// The node's last 40 log lines (of the last 2 000) that contain any of `marks`, under a
	/// heading naming the node; for failure messages of tests that follow a worker.
	pub fn log_lines(&self, marks: &[&str]) -> String {
		let tail = self.log_tail(2_000);
		let lines: Vec<&str> =
			tail.lines().filter(|line| marks.iter().any(|mark| line.contains(mark))).collect();
		format!("--- {}\n{}", self.name, lines[lines.len().saturating_sub(40)..].join("\n"))
	}

	/// Waits until the node's log has a line containing `needle`.
	pub async fn wait_log(&self, needle: &str, timeout: Duration) -> Result<()> {
		let path = self.base_path.join(LOG_FILE);
		crate::wait::until(
			&format!("`{needle}` in the log of node `{}`", self.name),
			timeout,
			Duration::from_millis(200),
			|| {
				let path = path.clone();
				async move {
					let text = String::from_utf8_lossy(&std::fs::read(&path)?).into_owned();
					Ok(match text.contains(needle) {
						true => crate::wait::Check::Done(()),
						false => crate::wait::Check::Pending(format!("{} log bytes", text.len())),
					})
				}
			},
		)
		.await
	}

	/// Stops the node gracefully (SIGTERM, then SIGKILL after 20 s) and hands back its base
	/// directory, so a new node can be started on the same database.
	pub async fn stop(mut self) -> Result<BaseDir> {
		if self.child.try_wait()?.is_none() {
			// A failed `kill` just leaves the process running until the SIGKILL below.
			Command::new("kill")
				.args(["-TERM", &self.child.id().to_string()])
				.status()
				.context("running `kill -TERM`")?;
			let deadline = Instant::now() + STOP_TIMEOUT;
			while self.child.try_wait()?.is_none() {
				if Instant::now() >= deadline {
					self.child.kill()?;
					self.child.wait()?;
					break;
				}
				sleep(Duration::from_millis(100)).await;
			}
		}
		self.base.take().context("base directory already handed back")
	}

	/// Kills the node at once (SIGKILL, as a crash or power loss would) and hands back its
	/// base directory.
	pub fn kill(mut self) -> Result<BaseDir> {
		if self.child.try_wait()?.is_none() {
			self.child.kill()?;
			self.child.wait()?;
		}
		self.base.take().context("base directory already handed back")
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Ok(None) = self.child.try_wait() {
			// Nothing sensible to do on failure while dropping, possibly during a panic.
			let _ = self.child.kill();
			let _ = self.child.wait();
		}
	}
}
