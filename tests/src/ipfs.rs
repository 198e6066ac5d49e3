//! Real IPFS daemons for the end-to-end tests: js-ipfs (npm `ipfs` 0.66.1, locked in
//! `tests/ipfs-daemon/` and installed by `scripts/setup.sh`), which serves the Kubo RPC API that
//! workers are pointed at with `--ipfs-api` and that [`IpfsDaemon`] drives through
//! `ipfs-api-backend-hyper`, the workers' own client.
//!
//! Every daemon has its own repository in a temporary directory and runs offline on loopback
//! only: no swarm listeners, bootstrap peers, MDNS, WebRTC, delegate routers, preload nodes or
//! content routing. Daemons therefore never see each other: add data to every daemon that needs
//! it. The API and the gateway listen on free 127.0.0.1 ports, kept across
//! [`IpfsDaemon::restart`]. The daemon's stdout and stderr go to `daemon.log` in the repository;
//! failures quote its tail. Default CIDs are CIDv0 (`Qm…`), as with Kubo.
//!
//! The Node.js binary is `node` on `PATH` unless `OCOS_NODEJS` names another.

use std::{
	fs::OpenOptions,
	future::Future,
	io::Cursor,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::Duration,
};

use anyhow::{bail, ensure, Context, Result};
use futures::TryStreamExt;
use ipfs_api_backend_hyper::{request::Add, IpfsApi, IpfsClient, TryFromUri};
use serde_json::json;
use tempfile::TempDir;
use tokio::time::{sleep, timeout, Instant};

use crate::node::LOG_TAIL_LINES;

/// How long [`IpfsDaemon::start`] and [`IpfsDaemon::restart`] wait for the API to answer
/// (about 2 s on a 2-core machine).
pub const API_READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `init` may take (about 2 s).
const INIT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one API call may take, readiness probes apart.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one readiness probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`IpfsDaemon::stop`] waits after SIGTERM before SIGKILL (it exits within 2 s).
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
/// File in the repository that receives the daemon's stdout and stderr.
const LOG_FILE: &str = "daemon.log";
/// File in the repository with the configuration `init` merges into js-ipfs's defaults.
const INIT_CONFIG_FILE: &str = "init-config.json";
/// js-ipfs's repository lock (a directory made by `proper-lockfile`). A daemon killed with
/// SIGKILL leaves it behind, and a new daemon refuses the repository until the lock is 20 s
/// stale (printing "Lock already being held" and exiting with status 0).
const REPO_LOCK: &str = "repo.lock";

/// The directory of the daemon's npm packages: `package.json`, the pinned `package-lock.json`,
/// `patches/` and, after `npm ci` (run by `scripts/setup.sh`), `node_modules`.
pub fn dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("ipfs-daemon")
}

/// The js-ipfs command-line entry point (`jsipfs`), or an error telling how to install it.
pub fn cli_js() -> Result<PathBuf> {
	let path = dir().join("node_modules/ipfs/src/cli.js");
	ensure!(
		path.is_file(),
		"js-ipfs is not installed ({} is missing): run scripts/setup.sh, which runs `npm ci` \
		 in tests/ipfs-daemon",
		path.display()
	);
	Ok(path)
}

/// The Node.js binary: `$OCOS_NODEJS`, else `node` on `PATH`.
fn nodejs() -> String {
	std::env::var("OCOS_NODEJS").unwrap_or_else(|_| "node".into())
}

/// A `node <cli.js> <args>` command on the repository `repo`, without update checks.
fn jsipfs(repo: &Path) -> Result<Command> {
	let mut command = Command::new(nodejs());
	command
		.arg(cli_js()?)
		.env("IPFS_PATH", repo)
		.env("NO_UPDATE_NOTIFIER", "1")
		.stdin(Stdio::null());
	Ok(command)
}

/// Ports a daemon listens on, both on 127.0.0.1.
#[derive(Debug, Clone, Copy)]
pub struct IpfsPorts {
	/// The Kubo RPC API (`/api/v0/...`).
	pub api: u16,
	/// The read-only HTTP gateway (`/ipfs/<cid>`).
	pub gateway: u16,
}

impl IpfsPorts {
	/// Two distinct free ports (see [`crate::ports`]).
	fn free() -> Result<Self> {
		let ports = crate::ports::free(2)?;
		Ok(Self { api: ports[0], gateway: ports[1] })
	}
}

/// The configuration merged into js-ipfs's defaults at `init` (arrays replace the defaults):
/// offline and loopback only.
fn init_config(ports: IpfsPorts) -> serde_json::Value {
	json!({
		"Addresses": {
			// With any swarm address the daemon hangs before it opens its API.
			"Swarm": [],
			"Announce": [],
			"NoAnnounce": [],
			"API": format!("/ip4/127.0.0.1/tcp/{}", ports.api),
			"Gateway": format!("/ip4/127.0.0.1/tcp/{}", ports.gateway),
			// Empty: no gRPC-over-WebSocket server (the daemon starts it for any address).
			"RPC": "",
			"Delegates": []
		},
		"Discovery": { "MDNS": { "Enabled": false }, "webRTCStar": { "Enabled": false } },
		"Bootstrap": [],
		"Swarm": { "DisableNatPortMap": true },
		"Routing": { "Type": "none" }
	})
}

/// A js-ipfs daemon with its own temporary repository; killed when dropped, also when a test
/// panics, and its repository removed.
pub struct IpfsDaemon {
	/// Running daemon; `None` once stopped.
	child: Option<Child>,
	ports: IpfsPorts,
	client: IpfsClient,
	/// Dropped last (fields drop after [`Drop::drop`] has killed the daemon).
	repo: TempDir,
}

impl IpfsDaemon {
	/// Initialises a fresh repository (`jsipfs init --empty-repo` with [`init_config`]), starts
	/// `jsipfs daemon --offline --enable-preload=false` on it and waits until its API answers
	/// `version`, failing with the tail of its log otherwise.
	pub async fn start() -> Result<Self> {
		let repo = tempfile::Builder::new()
			.prefix("ocos-ipfs-")
			.tempdir()
			.context("creating a temporary IPFS repository")?;
		let ports = IpfsPorts::free()?;
		let config_path = repo.path().join(INIT_CONFIG_FILE);
		std::fs::write(&config_path, serde_json::to_vec_pretty(&init_config(ports))?)
			.with_context(|| format!("writing {}", config_path.display()))?;

		let mut init = tokio::process::Command::from(jsipfs(repo.path())?);
		init.args(["init", "--empty-repo"]).arg(&config_path).kill_on_drop(true);
		let output = timeout(INIT_TIMEOUT, init.output())
			.await
			.with_context(|| format!("`jsipfs init` did not finish within {INIT_TIMEOUT:?}"))?
			.with_context(|| format!("cannot run `jsipfs init` with Node.js (`{}`)", nodejs()))?;
		if !output.status.success() {
			bail!(
				"`jsipfs init` in {} failed ({}):\n{}{}",
				repo.path().display(),
				output.status,
				String::from_utf8_lossy(&output.stdout),
				String::from_utf8_lossy(&output.stderr)
			);
		}

		let api_url = format!("http://127.0.0.1:{}", ports.api);
		let client = <IpfsClient as TryFromUri>::from_str(&api_url)
			.with_context(|| format!("IPFS API URL `{api_url}`"))?;
		let mut daemon = Self { child: None, ports, client, repo };
		daemon.spawn()?;
		daemon.wait_ready().await?;
		Ok(daemon)
	}

	/// The API's base URL, e.g. `http://127.0.0.1:5011`: the form `--ipfs-api` takes.
	pub fn api_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.ports.api)
	}

	/// The ports the daemon listens on.
	pub fn ports(&self) -> IpfsPorts {
		self.ports
	}

	/// The daemon's repository (`IPFS_PATH`), which also holds `daemon.log`.
	pub fn repo_path(&self) -> &Path {
		self.repo.path()
	}

	/// Whether the daemon process is running (not stopped, not exited on its own).
	pub fn is_running(&mut self) -> bool {
		matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
	}

	/// Whether the daemon was stopped or killed through this handle (and not restarted).
	pub fn is_stopped(&self) -> bool {
		self.child.is_none()
	}

	/// Stops the daemon gracefully (SIGTERM, then SIGKILL after 20 s); the repository stays,
	/// for [`Self::restart`]. Does nothing if it is not running.
	pub async fn stop(&mut self) -> Result<()> {
		let Some(child) = self.child.as_mut() else { return Ok(()) };
		if child.try_wait().context("polling the IPFS daemon")?.is_none() {
			// A failed `kill` just leaves the process running until the SIGKILL below.
			Command::new("kill")
				.args(["-TERM", &child.id().to_string()])
				.status()
				.context("running `kill -TERM`")?;
			let deadline = Instant::now() + STOP_TIMEOUT;
			while child.try_wait().context("polling the IPFS daemon")?.is_none() {
				if Instant::now() >= deadline {
					child.kill().context("killing the IPFS daemon")?;
					child.wait().context("waiting for the IPFS daemon")?;
					break;
				}
				sleep(Duration::from_millis(100)).await;
			}
		}
		self.child = None;
		Ok(())
	}

	/// Kills the daemon at once (SIGKILL), as a crash would; the repository stays, for
	/// [`Self::restart`]. Does nothing if it is not running.
	pub fn kill(&mut self) -> Result<()> {
		if let Some(child) = self.child.as_mut() {
			if child.try_wait().context("polling the IPFS daemon")?.is_none() {
				child.kill().context("killing the IPFS daemon")?;
				child.wait().context("waiting for the IPFS daemon")?;
			}
		}
		self.child = None;
		Ok(())
	}

	/// Starts the daemon again on the same repository and ports (stopping it first if it
	/// runs) and waits until its API answers. Pinned data survives, also a [`Self::kill`].
	pub async fn restart(&mut self) -> Result<()> {
		self.stop().await?;
		// No daemon runs on the repository now: a lock left by a killed one is stale.
		let lock = self.repo.path().join(REPO_LOCK);
		if lock.is_dir() {
			std::fs::remove_dir_all(&lock)
				.with_context(|| format!("removing the stale lock {}", lock.display()))?;
		}
		self.spawn()?;
		self.wait_ready().await
	}

	/// Adds `bytes` as one file and pins it (recursively); returns its CID as the daemon
	/// prints it.
	pub async fn add(&self, bytes: &[u8]) -> Result<String> {
		let options = Add { pin: Some(true), ..Default::default() };
		let added = self
			.call(
				&format!("adding {} bytes", bytes.len()),
				self.client.add_with_options(Cursor::new(bytes.to_vec()), options),
			)
			.await?;
		Ok(added.hash)
	}

	/// Stores `bytes` as one file without pinning it: content the daemon can serve (as if
	/// reachable on the network, which these offline daemons are not) but does not keep.
	/// Returns its CID.
	pub async fn put(&self, bytes: &[u8]) -> Result<String> {
		let options = Add { pin: Some(false), ..Default::default() };
		let added = self
			.call(
				&format!("storing {} bytes", bytes.len()),
				self.client.add_with_options(Cursor::new(bytes.to_vec()), options),
			)
			.await?;
		Ok(added.hash)
	}

	/// Makes an empty directory (in the daemon's MFS, unpinned) and returns its CID: content
	/// that is not a file.
	pub async fn empty_directory(&self, name: &str) -> Result<String> {
		let path = format!("/{name}");
		self.call("making a directory", self.client.files_mkdir(&path, true)).await?;
		let stat = self.call("reading the directory", self.client.files_stat(&path)).await?;
		Ok(stat.hash)
	}

	/// The content of the file `cid`.
	pub async fn cat(&self, cid: &str) -> Result<Vec<u8>> {
		let content = self.client.cat(cid).map_ok(|chunk| chunk.to_vec()).try_concat();
		self.call(&format!("reading {cid}"), content).await
	}

	/// The recursively pinned CIDs, sorted, as the daemon prints them.
	pub async fn pins(&self) -> Result<Vec<String>> {
		let listed = self.call("listing pins", self.client.pin_ls(None, Some("recursive"))).await?;
		let mut pins: Vec<String> = listed.keys.into_keys().collect();
		pins.sort();
		Ok(pins)
	}

	/// The last `lines` lines of the daemon's log, with a heading naming the file; for failure
	/// messages, so it never fails itself.
	pub fn log_tail(&self, lines: usize) -> String {
		crate::node::file_tail(&self.repo.path().join(LOG_FILE), "IPFS daemon", lines)
	}

	/// Spawns `jsipfs daemon` on the repository, appending its output to the log (so a restart
	/// keeps the previous run's), without waiting for it to be ready.
	fn spawn(&mut self) -> Result<()> {
		let log_path = self.repo.path().join(LOG_FILE);
		let log = OpenOptions::new()
			.create(true)
			.append(true)
			.open(&log_path)
			.with_context(|| format!("opening {}", log_path.display()))?;
		let child = jsipfs(self.repo.path())?
			.args(["daemon", "--offline", "--enable-preload=false"])
			.stdout(log.try_clone().context("duplicating the log file handle")?)
			.stderr(log)
			.spawn()
			.with_context(|| {
				format!("cannot start the IPFS daemon with Node.js (`{}`)", nodejs())
			})?;
		self.child = Some(child);
		Ok(())
	}

	/// Polls `version` until the API answers; fails early if the process exits.
	async fn wait_ready(&mut self) -> Result<()> {
		let deadline = Instant::now() + API_READY_TIMEOUT;
		loop {
			let child = self.child.as_mut().context("the IPFS daemon is not running")?;
			if let Some(status) = child.try_wait().context("polling the IPFS daemon")? {
				self.child = None;
				bail!(
					"the IPFS daemon exited ({status}) before its API was ready\n{}",
					self.log_tail(LOG_TAIL_LINES)
				);
			}
			let error = match timeout(PROBE_TIMEOUT, self.client.version()).await {
				Ok(Ok(_)) => return Ok(()),
				Ok(Err(e)) => e.to_string(),
				Err(_) => format!("no answer within {PROBE_TIMEOUT:?}"),
			};
			if Instant::now() >= deadline {
				bail!(
					"the IPFS daemon's API at {} was not ready after {API_READY_TIMEOUT:?}; last \
					 error: {error}\n{}",
					self.api_url(),
					self.log_tail(LOG_TAIL_LINES)
				);
			}
			sleep(Duration::from_millis(250)).await;
		}
	}

	/// Awaits one API call with [`CALL_TIMEOUT`], naming `what` and the daemon on failure.
	async fn call<T, E>(
		&self,
		what: &str,
		call: impl Future<Output = std::result::Result<T, E>>,
	) -> Result<T>
	where
		E: std::error::Error + Send + Sync + 'static,
	{
		match timeout(CALL_TIMEOUT, call).await {
			Ok(result) => {
				result.with_context(|| format!("{what} on the IPFS daemon {}", self.api_url()))
			}
			Err(_) => bail!(
				"{what} on the IPFS daemon {}: no answer within {CALL_TIMEOUT:?}",
				self.api_url()
			),
		}
	}
}

impl Drop for IpfsDaemon {
	fn drop(&mut self) {
		if let Some(child) = self.child.as_mut() {
			if let Ok(None) = child.try_wait() {
				// Nothing sensible to do on failure while dropping, possibly during a panic.
				let _ = child.kill();
				let _ = child.wait();
			}
		}
	}
}
