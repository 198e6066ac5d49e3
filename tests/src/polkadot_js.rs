//! Runs the `@polkadot/api` scenarios in `tests/polkadot-js/` with Node.js (`node --test`)
//! against nodes started here: the client token holders' wallets and Polkadot.js Apps use.

use std::{
	path::{Path, PathBuf},
	process::Stdio,
	time::Duration,
};

use anyhow::{bail, ensure, Context, Result};
use tokio::process::Command;

/// The scenarios' directory: `package.json`, the pinned `package-lock.json` and, after
/// `npm ci` (run by `scripts/setup.sh`), `node_modules`.
pub fn dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("polkadot-js")
}

/// Runs `node --test <scenario>` from [`dir`] with the extra environment `env`; returns its
/// output, or fails with it unless every test in the file passed within `timeout`. The Node.js
/// binary is `node` on `PATH` unless `OCOS_NODEJS` names another.
pub async fn run(scenario: &str, env: &[(&str, String)], timeout: Duration) -> Result<String> {
	let dir = dir();
	ensure!(
		dir.join("node_modules/@polkadot/api").is_dir(),
		"@polkadot/api is not installed in {}: run `npm ci --prefix tests/polkadot-js` \
		 (scripts/setup.sh does)",
		dir.display()
	);
	let nodejs = std::env::var("OCOS_NODEJS").unwrap_or_else(|_| "node".into());
	let child = Command::new(&nodejs)
		.args(["--test", "--test-reporter=spec", scenario])
		.current_dir(&dir)
		.envs(env.iter().map(|(k, v)| (*k, v.as_str())))
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.kill_on_drop(true)
		.spawn()
		.with_context(|| format!("cannot start Node.js (`{nodejs}`)"))?;
	let output = tokio::time::timeout(timeout, child.wait_with_output())
		.await
		.with_context(|| format!("{scenario} did not finish within {timeout:?}"))??;
	let text = format!(
		"{}{}",
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	if !output.status.success() {
		bail!("{scenario} failed ({}):\n{text}", output.status);
	}
	Ok(text)
}
