//! The worker key: an sr25519 key of type `ocwk` in the node's keystore (inserted with
//! `ocos-node key insert --key-type ocwk` or `author_insertKey`). The worker serves the node
//! registered with the first such key the chain knows.

use ocos_primitives::{WorkerKey, WORKER_KEY_TYPE};
use sp_core::sr25519;
use sp_keystore::KeystorePtr;

/// Signs worker messages with one key of the keystore.
#[derive(Clone)]
pub struct Signer {
	keystore: KeystorePtr,
	public: sr25519::Public,
}

impl Signer {
	/// Signs with `public`, which must be in `keystore` under the worker key type.
	pub fn new(keystore: KeystorePtr, public: sr25519::Public) -> Self {
		Self { keystore, public }
	}

	/// The worker keys in `keystore`.
	pub fn keys(keystore: &KeystorePtr) -> Vec<sr25519::Public> {
		keystore.sr25519_public_keys(WORKER_KEY_TYPE)
	}

	/// The public key, as the registry stores it.
	pub fn public(&self) -> WorkerKey {
		self.public.0
	}

	/// The sr25519 signature of `payload`, or why there is none.
	pub fn sign(&self, payload: &[u8]) -> Result<[u8; 64], String> {
		match self.keystore.sr25519_sign(WORKER_KEY_TYPE, &self.public, payload) {
			Ok(Some(signature)) => Ok(signature.0),
			Ok(None) => Err("the worker key left the keystore".into()),
			Err(error) => Err(format!("the keystore cannot sign: {error}")),
		}
	}
}
