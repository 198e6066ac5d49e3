//! Benchmarks of the node registry: every call at its worst case, the heartbeat together with
//! its pool validation, and the liveness sweep per examined node.

use super::*;
use crate::Pallet as NodeRegistry;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	UnfilteredDispatchable,
};
use frame_system::RawOrigin;
#[allow(deprecated)]
use sp_runtime::traits::ValidateUnsigned;

const SEED: u32 = 0;

/// An account funded for many bonds.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let amount = Params::<T>::get()
		.node_bond
		.saturating_mul(100u32.into())
		.saturating_add(T::Currency::minimum_balance().saturating_mul(100u32.into()));
	T::Currency::set_balance(&who, amount);
	who
}

/// A fresh worker key in the keystore (under [`WORKER_KEY_TYPE`]) and its key proof for
/// `owner`.
fn new_worker_key<T: Config>(
	owner: &T::AccountId,
) -> Result<(sr25519::Public, sr25519::Signature), BenchmarkError> {
	let public = sp_io::crypto::sr25519_generate(WORKER_KEY_TYPE, None);
	let key_proof =
		sp_io::crypto::sr25519_sign(WORKER_KEY_TYPE, &public, &worker_key_proof_payload(owner))
			.ok_or("the keystore could not sign the key proof")?;
	Ok((public, key_proof))
}

/// A byte string of the bound's full length.
fn full<S: Get<u32>>() -> BoundedVec<u8, S> {
	BoundedVec::truncate_from((0..S::get()).map(|_| b'x').collect())
}

/// The largest capabilities: a high-end GPU with the longest model name, and storage.
fn max_capabilities<T: Config>() -> Capabilities<T> {
	Capabilities {
		gpu: Some(GpuSpec { class: GpuClass::HighEnd, model: full(), vram_mib: u32::MAX }),
		storage_bytes: u64::MAX,
	}
}

/// Modest capabilities with both resource kinds.
fn small_capabilities<T: Config>() -> Capabilities<T> {
	Capabilities {
		gpu: Some(GpuSpec {
			class: GpuClass::Entry,
			model: BoundedVec::truncate_from(vec![b'g']),
			vram_mib: 1,
		}),
		storage_bytes: 1,
	}
}

/// Registers a pending node of `owner` with a fresh worker key and the longest region and
/// endpoint; returns the node and its worker key.
fn register_node<T: Config>(
	owner: &T::AccountId,
	capabilities: Capabilities<T>,
) -> Result<(NodeId, sr25519::Public), BenchmarkError> {
	let node = NextNodeId::<T>::get();
	let (public, key_proof) = new_worker_key::<T>(owner)?;
	NodeRegistry::<T>::register(
		RawOrigin::Signed(owner.clone()).into(),
		public.0,
		capabilities,
		full(),
		full(),
		key_proof,
	)?;
	Ok((node, public))
}

/// The DAO origin.
fn dao<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::DaoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// Registers and verifies a node with both resource kinds (indexed twice).
fn active_node<T: Config>(owner: &T::AccountId) -> Result<NodeId, BenchmarkError> {
	let (node, _) = register_node::<T>(owner, small_capabilities::<T>())?;
	NodeRegistry::<T>::verify(dao::<T>()?, node)?;
	Ok(node)
}

/// Fills the owner's node list up to one short of `MaxNodesPerOwner`.
fn fill_owner<T: Config>(owner: &T::AccountId) -> Result<(), BenchmarkError> {
	for _ in 1..T::MaxNodesPerOwner::get() {
		register_node::<T>(owner, small_capabilities::<T>())?;
	}
	Ok(())
}

/// Validates an unsigned call as block import does.
#[allow(deprecated)]
fn validate_in_block<T: Config>(call: &Call<T>) -> Result<(), BenchmarkError> {
	NodeRegistry::<T>::validate_unsigned(TransactionSource::InBlock, call)?;
	Ok(())
}

/// Moves to `blocks` blocks after the current one.
fn advance<T: Config>(blocks: BlockNumberFor<T>) -> BlockNumberFor<T> {
	let now = frame_system::Pallet::<T>::block_number().saturating_add(blocks);
	frame_system::Pallet::<T>::set_block_number(now);
	now
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The owner already has all but one of their nodes; the largest capabilities.
	#[benchmark]
	fn register() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		fill_owner::<T>(&owner)?;
		let node = NextNodeId::<T>::get();
		let (public, key_proof) = new_worker_key::<T>(&owner)?;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			public.0,
			max_capabilities::<T>(),
			full(),
			full(),
			key_proof,
		);

		assert_eq!(Nodes::<T>::get(node).map(|record| record.owner), Some(owner));
		Ok(())
	}

	/// `verify`, which indexes the node under both resource kinds. (A benchmark cannot be
	/// named `verify`: the benchmark macros use that name for a flag.)
	#[benchmark]
	fn verify_node() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let (node, _) = register_node::<T>(&owner, small_capabilities::<T>())?;
		let origin = dao::<T>()?;

		#[extrinsic_call]
		verify(origin as T::RuntimeOrigin, node);

		assert!(ActiveNodes::<T>::contains_key(ResourceKind::Gpu, index_key(node)));
		Ok(())
	}

	/// Removes an active node from both indexes.
	#[benchmark]
	fn suspend() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;
		let origin = dao::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, node);

		assert!(!ActiveNodes::<T>::contains_key(ResourceKind::Gpu, index_key(node)));
		Ok(())
	}

	/// Indexes the node under both resource kinds again.
	#[benchmark]
	fn resume() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;
		NodeRegistry::<T>::suspend(dao::<T>()?, node)?;
		let origin = dao::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, node);

		assert!(ActiveNodes::<T>::contains_key(ResourceKind::Storage, index_key(node)));
		Ok(())
	}

	/// Half the bond to a treasury account that has to be created.
	#[benchmark]
	fn slash() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;
		let origin = dao::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, node, Perbill::from_percent(50), full());

		Ok(())
	}

	/// Raised capabilities send an active node back to pending (two index removals); the
	/// longest endpoint and region.
	#[benchmark]
	fn update() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			node,
			Some(full()),
			Some(max_capabilities::<T>()),
			Some(full()),
		);

		assert_eq!(Nodes::<T>::get(node).map(|record| record.status), Some(NodeStatus::Pending));
		Ok(())
	}

	#[benchmark]
	fn rotate_worker_key() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;
		let (new_key, key_proof) = new_worker_key::<T>(&owner)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, new_key.0, key_proof);

		assert_eq!(WorkerKeys::<T>::get(new_key.0), Some(node));
		Ok(())
	}

	/// Removes an active node from both indexes.
	#[benchmark]
	fn retire() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node);

		assert!(Nodes::<T>::get(node).is_some_and(|record| record.is_retiring()));
		Ok(())
	}

	/// A node with `a` allow-list entries, among the owner's full list of nodes.
	#[benchmark]
	fn withdraw_bond(a: Linear<0, { T::MaxAllowList::get() }>) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		fill_owner::<T>(&owner)?;
		let node = active_node::<T>(&owner)?;
		for i in 0..a {
			NodeRegistry::<T>::allow_customer(
				RawOrigin::Signed(owner.clone()).into(),
				node,
				account("customer", i, SEED),
			)?;
		}
		NodeRegistry::<T>::retire(RawOrigin::Signed(owner.clone()).into(), node)?;
		advance::<T>(Params::<T>::get().retire_cooldown);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node);

		assert!(!Nodes::<T>::contains_key(node));
		assert_eq!(AllowList::<T>::iter_prefix(node).count(), 0);
		Ok(())
	}

	#[benchmark]
	fn set_access_policy() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, AccessPolicy::AllowList);

		Ok(())
	}

	/// Fills the last allow-list slot.
	#[benchmark]
	fn allow_customer() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;
		for i in 1..T::MaxAllowList::get() {
			NodeRegistry::<T>::allow_customer(
				RawOrigin::Signed(owner.clone()).into(),
				node,
				account("customer", i, SEED),
			)?;
		}
		let customer: T::AccountId = account("customer", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, customer.clone());

		assert!(AllowList::<T>::contains_key(node, customer));
		Ok(())
	}

	/// Revokes from a full allow-list.
	#[benchmark]
	fn revoke_customer() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let node = active_node::<T>(&owner)?;
		for i in 0..T::MaxAllowList::get() {
			NodeRegistry::<T>::allow_customer(
				RawOrigin::Signed(owner.clone()).into(),
				node,
				account("customer", i, SEED),
			)?;
		}
		let customer: T::AccountId = account("customer", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, customer.clone());

		assert!(!AllowList::<T>::contains_key(node, customer));
		Ok(())
	}

	/// Pool validation plus dispatch (each verifies the signature) of a heartbeat that brings
	/// an offline node back online (two index insertions).
	#[benchmark]
	fn heartbeat() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let (node, public) = register_node::<T>(&owner, small_capabilities::<T>())?;
		NodeRegistry::<T>::verify(dao::<T>()?, node)?;
		let params = Params::<T>::get();
		let now = advance::<T>(params.heartbeat_timeout.saturating_add(params.heartbeat_period));
		NodeRegistry::<T>::mutate_node(node, |record| {
			record.offline = true;
			Ok(())
		})?;
		// Local names must differ from benchmark names, which the macro turns into unit structs.
		let payload = Heartbeat { node, block_number: now };
		let signature =
			sp_io::crypto::sr25519_sign(WORKER_KEY_TYPE, &public, &payload.signing_payload())
				.ok_or("the keystore could not sign the heartbeat")?;
		let call = Call::<T>::heartbeat { heartbeat: payload, signature };

		#[block]
		{
			validate_in_block::<T>(&call)?;
			call.dispatch_bypass_filter(RawOrigin::None.into())?;
		}

		assert!(Nodes::<T>::get(node).is_some_and(|record| !record.offline));
		Ok(())
	}

	/// Every parameter changed, the epoch length too (which moves the epoch anchor).
	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let old = Params::<T>::get();
		let one: BlockNumberFor<T> = One::one();
		let new = RegistryParams {
			node_bond: old.node_bond.saturating_add(One::one()),
			heartbeat_period: old.heartbeat_period.saturating_add(one),
			heartbeat_timeout: old.heartbeat_timeout.saturating_add(one).saturating_add(one),
			retire_cooldown: old.retire_cooldown.saturating_add(one),
			epoch_length: old.epoch_length.saturating_add(one),
		};
		let origin = dao::<T>()?;

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			Some(new.node_bond),
			Some(new.heartbeat_period),
			Some(new.heartbeat_timeout),
			Some(new.retire_cooldown),
			Some(new.epoch_length),
		);

		assert_eq!(Params::<T>::get(), new);
		Ok(())
	}

	/// `n` active nodes whose heartbeats lapsed, all marked offline by one sweep.
	#[benchmark]
	fn on_idle_sweep(n: Linear<0, { T::MaxOfflineScan::get() }>) -> Result<(), BenchmarkError> {
		let mut nodes = vec![];
		for i in 0..n {
			let owner = funded::<T>("owner", i);
			nodes.push(active_node::<T>(&owner)?);
		}
		OfflineCursor::<T>::kill();
		let now = advance::<T>(Params::<T>::get().heartbeat_timeout.saturating_add(One::one()));

		#[block]
		{
			NodeRegistry::<T>::sweep(now, Weight::MAX);
		}

		// On a chain with genesis nodes the sweep may examine those first.
		if Nodes::<T>::iter().count() == nodes.len() {
			for node in nodes {
				assert!(Nodes::<T>::get(node).is_some_and(|record| record.offline));
			}
		}
		Ok(())
	}

	impl_benchmark_test_suite!(NodeRegistry, crate::mock::new_test_ext(), crate::mock::Test);
}
