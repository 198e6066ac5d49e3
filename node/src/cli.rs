//! Command-line interface: Substrate's standard flags and subcommands.

/// `ocos-node [SUBCOMMAND] [FLAGS]`: without a subcommand it runs the node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	#[clap(flatten)]
	pub worker: WorkerParams,
}

/// The provider's off-chain worker (`--worker` and its settings).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerParams {
	/// Run the provider's off-chain worker: heartbeat the node registered with this
	/// keystore's worker key (type `ocwk`), run the GPU jobs assigned to it and attest them,
	/// pin its DataVault content and answer the storage challenges. Needs a Vulkan driver and
	/// an IPFS daemon.
	#[arg(long)]
	pub worker: bool,

	/// The IPFS daemon's Kubo RPC API, where job inputs are read, outputs and DataVault
	/// content pinned.
	#[arg(long, value_name = "URL", default_value = "http://127.0.0.1:5001")]
	pub ipfs_api: String,

	/// GPU jobs run at once.
	#[arg(long, value_name = "COUNT", default_value_t = 2)]
	pub worker_concurrency: usize,

	/// Wall time one GPU job may take, in seconds; then its process is killed and the job is
	/// attested as timed out.
	#[arg(long, value_name = "SECONDS", default_value_t = 120)]
	pub worker_job_timeout: u64,

	/// Memory one GPU job's process may use, in MiB (driver included).
	#[arg(long, value_name = "MIB", default_value_t = 4096)]
	pub worker_memory_limit: u64,

	/// DataVault pins fetched at once (challenge answers are not limited).
	#[arg(long, value_name = "COUNT", default_value_t = 2)]
	pub worker_pin_concurrency: usize,

	/// TEST ONLY: make the worker dishonest, to prove that the chain outvotes and penalises
	/// it. Never set on a real provider.
	#[arg(long, value_enum, hide = true)]
	pub worker_fault: Option<WorkerFault>,
}

/// Deliberate worker faults (test only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WorkerFault {
	/// Corrupt every job output before hashing and publishing it.
	CorruptOutput,
	/// Answer every storage challenge over corrupted bytes.
	WrongAnswers,
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys into the node's keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (JSON; `--raw` for a genesis snapshot).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification without starting a node's database.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: pallet weights, storage, block overhead, machine.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Runs one GPU kernel read from stdin (the worker's sandboxed child process).
	#[command(hide = true)]
	GpuExec,
}
