//! # OCOS runtime
//!
//! The FRAME runtime of the OCOS Cloud appchain, built natively (for the node and tests) and
//! to wasm (the on-chain code that every node executes).
//!
//! - Consensus: Aura block authoring (6 s slots) and GRANDPA finality. Validator keys are
//!   session keys managed by `pallet-session`, so the validator set can later be handed to DAO
//!   governance without touching genesis.
//! - Native token: **OCOS**, 12 decimals, SS58 prefix [`SS58_PREFIX`].
//! - Transactions carry `CheckMetadataHash`, so metadata-aware signers (Ledger's generic
//!   Polkadot app) can verify what they sign.
//! - The economy: provider nodes (`pallet-node-registry`), staking quotas (`pallet-quotas`)
//!   and metered billing (`pallet-billing`); see [`configs`] for their parameters.
//! - There is no `pallet-sudo`: no single key can change the chain.
//!
//! Layout: [`configs`] holds each pallet's configuration, [`apis`] the runtime APIs the node
//! and wallets call, [`genesis_config_presets`] the `development`, `local_testnet` and
//! `testnet` genesis states.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-style macros expand to deeply nested types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

/// This runtime built with `spec_version` one higher (feature `increment-spec-version`): the
/// code that the runtime-upgrade tests authorize and apply.
#[cfg(feature = "std")]
pub mod spec_version_incremented {
	include!(concat!(env!("OUT_DIR"), "/wasm_binary_spec_version_incremented.rs"));
}

extern crate alloc;

use alloc::vec::Vec;

// Declared first: its `list_benchmarks!`/`add_benchmarks!` macros are used by `apis`.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(test)]
mod tests;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;

/// Block number.
pub type BlockNumber = u32;
/// Transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// Account identifier: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account, in plancks (10^-12 OCOS).
pub type Balance = u128;
/// Per-account transaction counter.
pub type Nonce = u32;
/// Block and state hash.
pub type Hash = sp_core::H256;

/// Token symbol, shown by wallets and the metadata hash.
pub const TOKEN_SYMBOL: &str = "OCOS";
/// Decimal places of one OCOS.
pub const TOKEN_DECIMALS: u8 = 12;
/// SS58 address prefix of the OCOS chain (unregistered in ss58-registry 1.51).
pub const SS58_PREFIX: u16 = 6262;

/// One OCOS in plancks.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of an OCOS.
pub const MILLI_UNIT: Balance = UNIT / 1_000;
/// A millionth of an OCOS.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
/// Smallest balance an account may hold.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Target block time; also the Aura slot duration. It cannot change once a chain runs.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// Aura slot duration.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Node-facing types that do not depend on the runtime's call and event types, so the node
/// keeps syncing across runtime upgrades.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The keys a validator registers through `session.set_keys`.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` on every runtime change that is upgraded
/// on-chain, and `transaction_version` whenever the encoding of a call or of the transaction
/// extensions changes.
#[cfg(not(feature = "increment-spec-version"))]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("ocos"),
	impl_name: alloc::borrow::Cow::Borrowed("ocos-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The same runtime one `spec_version` higher: the code the runtime-upgrade tests apply.
#[cfg(feature = "increment-spec-version")]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("ocos"),
	impl_name: alloc::borrow::Cow::Borrowed("ocos-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Address format of extrinsic senders.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The transaction extensions: checks and payment applied to every signed transaction.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);
/// Extrinsic as submitted to the chain.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload a transaction's signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on the next runtime upgrade, beside the pallets' own.
#[allow(unused_parens)]
type Migrations = ();

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(7)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(8)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(9)]
	pub type Dao = pallet_dao;

	#[runtime::pallet_index(10)]
	pub type Treasury = pallet_treasury;

	#[runtime::pallet_index(11)]
	pub type NodeRegistry = pallet_node_registry;

	#[runtime::pallet_index(12)]
	pub type Quotas = pallet_quotas;

	#[runtime::pallet_index(13)]
	pub type Billing = pallet_billing;

	#[runtime::pallet_index(14)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(15)]
	pub type Compute = pallet_compute;

	#[runtime::pallet_index(16)]
	pub type DataVault = pallet_storage;
}
