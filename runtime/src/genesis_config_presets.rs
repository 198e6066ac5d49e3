//! Genesis presets: `development` (one validator, one provider node), `local_testnet` (Alice
//! and Bob as validators; Alice, Bob and Charlie with a provider node each) and `testnet` (the public test network; its
//! raw spec is committed under `chain-specs/`).
//!
//! The development providers' worker keys are the well-known `//Alice//worker`,
//! `//Bob//worker` and `//Charlie//worker`: `ocos-node --worker` on a development chain inserts the one of its
//! development account (`--alice`, `--bob`, or `--dev`) into an empty keystore.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_grandpa::AuthorityId as GrandpaId;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{ed25519, sr25519};
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

use ocos_primitives::{GpuClass, Resource, ResourceKind};
use pallet_dao::DaoParams;
use pallet_node_registry::{GenesisGpu, GenesisNode, RegistryParams};
use pallet_quotas::QuotaParams;
use sp_runtime::{FixedU128, Permill};

use crate::{
	configs::{DaoDefaults, QuotaDefaults, RegistryDefaults, TreasuryAccount},
	AccountId, Balance, BalancesConfig, BillingConfig, BlockNumber, DaoConfig, DataVaultConfig,
	NodeRegistryConfig, QuotasConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys,
	ValidatorSetConfig, HOURS, UNIT,
};

/// Name of the public test network's preset.
pub const TESTNET_RUNTIME_PRESET: &str = "testnet";

/// Balance of each endowed development account.
const DEV_ENDOWMENT: Balance = 1_000_000 * UNIT;

/// A genesis validator: its account (which holds the session-key deposit) and session keys.
struct Validator {
	account: AccountId,
	aura: AuraId,
	grandpa: GrandpaId,
}

impl Validator {
	/// A validator given by `(sr25519, ed25519)` public keys: the sr25519 key is both its
	/// account and its Aura key.
	fn new((sr25519_key, ed25519_key): ([u8; 32], [u8; 32])) -> Self {
		Self {
			account: AccountId::new(sr25519_key),
			aura: sr25519::Public::from_raw(sr25519_key).into(),
			grandpa: ed25519::Public::from_raw(ed25519_key).into(),
		}
	}
}

/// The treasury's opening balance: it pays the quota subsidy to providers.
const TREASURY_ENDOWMENT: Balance = 1_000_000 * UNIT;

/// The economy's periods: the production defaults, or short ones for development chains.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Periods {
	/// The runtime's defaults (hours and days); nothing is written to the genesis.
	Production,
	/// Epochs of 5 blocks (30 s), heartbeats every 3 blocks with an 8-block timeout, a 3-block
	/// retirement cooldown, 5-block unbonding and 5-block DAO votes enacted a block after
	/// their close, so tests see them pass in seconds.
	Fast,
}

/// Epoch length of development chains, in blocks.
const FAST_EPOCH: BlockNumber = 5;

impl Periods {
	fn registry(self) -> Option<RegistryParams<Balance, BlockNumber>> {
		(self == Self::Fast).then(|| RegistryParams {
			heartbeat_period: 3,
			heartbeat_timeout: 8,
			retire_cooldown: 3,
			epoch_length: FAST_EPOCH,
			..RegistryDefaults::get()
		})
	}

	fn dao(self) -> Option<DaoParams<Balance, BlockNumber>> {
		(self == Self::Fast).then(|| DaoParams {
			proposal_deposit: 10 * UNIT,
			voting_period: FAST_EPOCH,
			enactment_delay: 1,
			..DaoDefaults::get()
		})
	}

	/// Blocks per DataVault epoch: an hour, or a minute on development chains (long enough for
	/// a worker to pin and answer a challenge, short enough for tests to see several).
	fn storage_epoch(self) -> BlockNumber {
		match self {
			Self::Production => HOURS,
			Self::Fast => 10,
		}
	}

	fn quotas(self) -> Option<QuotaParams<Balance, BlockNumber>> {
		(self == Self::Fast)
			.then(|| QuotaParams { unbonding_period: FAST_EPOCH, ..QuotaDefaults::get() })
	}
}

/// A development provider node owned by `owner`, run by the worker key `worker_key`: an
/// entry-class GPU (any Vulkan adapter, lavapipe included) and 1 GiB of storage.
fn dev_node(owner: [u8; 32], worker_key: [u8; 32]) -> GenesisNode<AccountId> {
	GenesisNode {
		owner: AccountId::new(owner),
		worker_key,
		gpu: Some(GenesisGpu {
			class: GpuClass::Entry,
			model: b"development GPU".to_vec(),
			vram_mib: 1024,
		}),
		storage_bytes: 1 << 30,
	}
}

/// A genesis state: validators, endowed accounts (plus the treasury), provider nodes and the
/// opening economy parameters, which afterwards change only by DAO vote.
fn genesis(
	validators: Vec<Validator>,
	mut endowed: Vec<(AccountId, Balance)>,
	nodes: Vec<GenesisNode<AccountId>>,
	periods: Periods,
) -> Value {
	let accounts: Vec<AccountId> = validators.iter().map(|v| v.account.clone()).collect();
	let keys: Vec<_> = validators
		.into_iter()
		.map(|v| {
			let keys = SessionKeys { aura: v.aura, grandpa: v.grandpa };
			(v.account.clone(), v.account, keys)
		})
		.collect();
	endowed.push((TreasuryAccount::get(), TREASURY_ENDOWMENT));
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: endowed },
		session: SessionConfig { keys },
		validator_set: ValidatorSetConfig { validators: accounts },
		dao: DaoConfig { params: periods.dao() },
		node_registry: NodeRegistryConfig { params: periods.registry(), nodes },
		data_vault: DataVaultConfig { epoch_length: periods.storage_epoch() },
		quotas: QuotasConfig {
			params: periods.quotas(),
			rates: vec![
				// Staking 1 OCOS earns one GPU-second per epoch ...
				(ResourceKind::Gpu, FixedU128::from_rational(1_000, UNIT)),
				// ... and one GiB-epoch of storage.
				(ResourceKind::Storage, FixedU128::from_rational(1 << 30, UNIT)),
			],
		},
		billing: BillingConfig {
			prices: vec![
				// Per GPU-millisecond: 0.036, 0.18 and 0.72 OCOS per GPU-hour.
				(Resource::GpuMillis(GpuClass::Entry), 10_000),
				(Resource::GpuMillis(GpuClass::Standard), 50_000),
				(Resource::GpuMillis(GpuClass::HighEnd), 200_000),
				// Per byte-epoch: about 0.001 OCOS per GiB-epoch.
				(Resource::StorageByteEpoch, 1),
			],
			protocol_fee: Permill::from_percent(5),
		},
	})
}

fn dev_endowments() -> Vec<(AccountId, Balance)> {
	DEV_ACCOUNTS.iter().map(|key| (AccountId::new(*key), DEV_ENDOWMENT)).collect()
}

/// One validator (Alice) with a provider node, funded well-known development accounts.
fn development() -> Value {
	let nodes = vec![dev_node(ALICE.0, ALICE_WORKER)];
	genesis(vec![Validator::new(ALICE)], dev_endowments(), nodes, Periods::Fast)
}

/// Two validators (Alice, Bob), three provider nodes (Alice's, Bob's and Charlie's), funded
/// development accounts.
fn local_testnet() -> Value {
	let validators = vec![Validator::new(ALICE), Validator::new(BOB)];
	let nodes = vec![
		dev_node(ALICE.0, ALICE_WORKER),
		dev_node(BOB.0, BOB_WORKER),
		dev_node(DEV_ACCOUNTS[2], CHARLIE_WORKER),
	];
	genesis(validators, dev_endowments(), nodes, Periods::Fast)
}

/// The public test network: two bootstrap validators and a faucet account.
///
/// The bootstrap keys are derived from the Substrate development phrase at
/// `//ocos-testnet//validator//1`, `//ocos-testnet//validator//2` and `//ocos-testnet//faucet`
/// (sr25519 for accounts and Aura, ed25519 for GRANDPA), so anyone can run them: this network
/// holds no value. Operators replace them with their own keys through governance.
fn testnet() -> Value {
	let validator_1 = Validator::new(TESTNET_VALIDATOR_1);
	let validator_2 = Validator::new(TESTNET_VALIDATOR_2);
	let endowed = vec![
		(validator_1.account.clone(), 10_000 * UNIT),
		(validator_2.account.clone(), 10_000 * UNIT),
		(AccountId::new(TESTNET_FAUCET), 10_000_000 * UNIT),
	];
	genesis(vec![validator_1, validator_2], endowed, vec![], Periods::Production)
}

// Public keys are spelled out: deriving them in the runtime would pull key derivation (and
// its multi-megabyte tables) into the wasm.

/// `(sr25519, ed25519)` public keys of the development validator `//Alice`.
const ALICE: ([u8; 32], [u8; 32]) = (
	hex_literal(b"d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"),
	hex_literal(b"88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee"),
);
/// `(sr25519, ed25519)` public keys of the development validator `//Bob`.
const BOB: ([u8; 32], [u8; 32]) = (
	hex_literal(b"8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"),
	hex_literal(b"d17c2d7823ebf260fd138f2d7e27d114c0145d968b5ff5006125f2414fadae69"),
);
/// sr25519 worker key `//Alice//worker` of Alice's development node.
const ALICE_WORKER: [u8; 32] =
	hex_literal(b"de0890e2f871c4263480188c3c6f27194198a61f1c56da846851a02554e19f3f");
/// sr25519 worker key `//Bob//worker` of Bob's development node.
const BOB_WORKER: [u8; 32] =
	hex_literal(b"c406f0636e27e7bb858d01d7683eafa66827d32cec3ad3d44287e35848abab2a");
/// sr25519 worker key `//Charlie//worker` of Charlie's development node.
const CHARLIE_WORKER: [u8; 32] =
	hex_literal(b"70b86fb59af3aa4a6aeb778b86a1402731a3c2118772d886d60d08c91027a840");
/// sr25519 accounts `//Alice`, `//Bob`, `//Charlie`, `//Dave`, `//Eve`, `//Ferdie`.
const DEV_ACCOUNTS: [[u8; 32]; 6] = [
	ALICE.0,
	BOB.0,
	hex_literal(b"90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22"),
	hex_literal(b"306721211d5404bd9da88e0204360a1a9ab8b87c66c1bc2fcdd37f3c2222cc20"),
	hex_literal(b"e659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e"),
	hex_literal(b"1cbd2d43530a44705ad088af313e18f80b53ef16b36177cd4b77b846f2a5f07c"),
];

/// `(sr25519, ed25519)` public keys of the first testnet bootstrap validator.
const TESTNET_VALIDATOR_1: ([u8; 32], [u8; 32]) = (
	hex_literal(b"f69d4e41ab2d9ddb865547ffd048420e68d6acf273d83a1ee22c15e18e76b03e"),
	hex_literal(b"7a93a72285d9c93fa7fcaf39cc444508a5197d6ad924d8788934cd77decab29a"),
);
/// `(sr25519, ed25519)` public keys of the second testnet bootstrap validator.
const TESTNET_VALIDATOR_2: ([u8; 32], [u8; 32]) = (
	hex_literal(b"ac1c48e5bd57b3a3c298e6bb967de55ca70dd43e918cb2cf50e2ce7e4434a914"),
	hex_literal(b"727dfbbf534eff58a7ee3efb20af8f28ce3f0ab5cb31ab67dcbf0025ddc4ad9f"),
);
/// sr25519 public key of the testnet faucet account.
const TESTNET_FAUCET: [u8; 32] =
	hex_literal(b"bebf269b3f667d0d868b432e4c0fa143f5dc27a686c21581b133a631928a7767");

/// Decodes 64 hex digits; used in constants only, so a bad digit fails the build.
const fn hex_literal(hex: &[u8; 64]) -> [u8; 32] {
	const fn digit(c: u8) -> u8 {
		match c {
			b'0'..=b'9' => c - b'0',
			b'a'..=b'f' => c - b'a' + 10,
			_ => panic!("not a lowercase hex digit"),
		}
	}
	let mut out = [0u8; 32];
	let mut i = 0;
	while i < 32 {
		out[i] = digit(hex[2 * i]) << 4 | digit(hex[2 * i + 1]);
		i += 1;
	}
	out
}

/// The JSON of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		TESTNET_RUNTIME_PRESET => testnet(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(|json| json.into_bytes())
}

/// The names of the presets [`get_preset`] knows.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(TESTNET_RUNTIME_PRESET),
	]
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;

	/// Externalities holding the genesis state of preset `id`.
	pub(crate) fn preset_ext(id: &str) -> sp_io::TestExternalities {
		let json = get_preset(&PresetId::from(id)).expect("listed preset exists");
		let patch: Value = serde_json::from_slice(&json).expect("preset is JSON");
		let mut base = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializable");
		json_patch_merge(&mut base, patch);
		let config: RuntimeGenesisConfig =
			serde_json::from_value(base).expect("patch fits the genesis config");
		frame_support::sp_runtime::BuildStorage::build_storage(&config)
			.expect("genesis builds")
			.into()
	}

	#[test]
	fn every_preset_builds_a_genesis_state() {
		for id in preset_names() {
			let id = core::str::from_utf8(id.as_ref()).expect("preset names are UTF-8");
			preset_ext(id).execute_with(|| {
				assert!(!pallet_aura::Authorities::<crate::Runtime>::get().is_empty());
				assert!(!pallet_grandpa::Pallet::<crate::Runtime>::grandpa_authorities().is_empty());
				// The DAO's validator set is the session's, so the DAO can change it.
				assert_eq!(
					pallet_validator_set::Validators::<crate::Runtime>::get().into_inner(),
					pallet_session::Validators::<crate::Runtime>::get()
				);
			});
		}
	}

	#[test]
	fn development_chains_have_short_periods_and_the_testnet_the_defaults() {
		use crate::Runtime;
		for id in ["development", "local_testnet"] {
			preset_ext(id).execute_with(|| {
				let registry = pallet_node_registry::Params::<Runtime>::get();
				assert_eq!(registry.epoch_length, FAST_EPOCH);
				assert_eq!(registry.node_bond, RegistryDefaults::get().node_bond);
				assert!(registry.heartbeat_timeout < 10);
				assert_eq!(pallet_quotas::Params::<Runtime>::get().unbonding_period, FAST_EPOCH);
				assert_eq!(pallet_storage::EpochLength::<Runtime>::get(), 10);
			});
		}
		preset_ext(TESTNET_RUNTIME_PRESET).execute_with(|| {
			assert!(!pallet_node_registry::Params::<Runtime>::exists());
			assert_eq!(pallet_node_registry::Params::<Runtime>::get(), RegistryDefaults::get());
			assert_eq!(pallet_quotas::Params::<Runtime>::get(), QuotaDefaults::get());
			assert_eq!(pallet_storage::EpochLength::<Runtime>::get(), crate::HOURS);
		});
	}

	#[test]
	fn unknown_preset_is_none() {
		assert!(get_preset(&PresetId::from("mainnet")).is_none());
	}

	#[test]
	fn dev_keys_are_the_well_known_ones() {
		use sp_keyring::{Ed25519Keyring as Ed, Sr25519Keyring as Sr};
		assert_eq!(ALICE, (Sr::Alice.public().0, Ed::Alice.public().0));
		assert_eq!(BOB, (Sr::Bob.public().0, Ed::Bob.public().0));
		let well_known = [Sr::Alice, Sr::Bob, Sr::Charlie, Sr::Dave, Sr::Eve, Sr::Ferdie];
		assert_eq!(DEV_ACCOUNTS, well_known.map(|k| k.public().0));
	}

	#[test]
	fn testnet_keys_are_the_documented_derivations() {
		use sp_core::Pair;
		let derive = |path: &str| {
			let suri = alloc::format!("{}{path}", sp_core::crypto::DEV_PHRASE);
			let sr = sr25519::Pair::from_string(&suri, None).expect("valid suri").public().0;
			let ed = ed25519::Pair::from_string(&suri, None).expect("valid suri").public().0;
			(sr, ed)
		};
		assert_eq!(derive("//ocos-testnet//validator//1"), TESTNET_VALIDATOR_1);
		assert_eq!(derive("//ocos-testnet//validator//2"), TESTNET_VALIDATOR_2);
		assert_eq!(derive("//ocos-testnet//faucet").0, TESTNET_FAUCET);
	}

	fn json_patch_merge(base: &mut Value, patch: Value) {
		match (base, patch) {
			(Value::Object(b), Value::Object(p)) => {
				for (k, v) in p {
					json_patch_merge(b.entry(k).or_insert(Value::Null), v);
				}
			}
			(b, p) => *b = p,
		}
	}
}
