// Talking to an OCOS node through @polkadot/api as a wallet does: connect, sign and send,
// read errors and events by the names the chain's metadata gives them.

import { after, before } from 'node:test';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** 1 OCOS in plancks (12 decimals). */
export const UNIT = 10n ** 12n;

/**
 * The node's `ocos_job` and `ocos_pin` RPC methods, declared for `api.rpc.ocos` (apps declare
 * custom RPC this way; the runtime APIs need no declaration, `api.call` reads them from the
 * metadata).
 */
export const OCOS_RPC = {
  ocos: {
    job: {
      description: 'A compute job: status, result and replicas, or null',
      params: [
        { name: 'job', type: 'u64' },
        { name: 'at', type: 'BlockHash', isOptional: true },
      ],
      type: 'Json',
    },
    pin: {
      description: 'A DataVault pin order: replicas, challenge, budget and status, or null',
      params: [
        { name: 'pin', type: 'u64' },
        { name: 'at', type: 'BlockHash', isOptional: true },
      ],
      type: 'Json',
    },
  },
};

/** Connects to the node at `url` (default: `OCOS_WS`, set by the Rust harness). */
export async function connect(url = process.env.OCOS_WS) {
  if (!url) throw new Error('OCOS_WS is not set: run these scenarios through `cargo test`');
  return ApiPromise.create({
    provider: new WsProvider(url),
    rpc: OCOS_RPC,
    noInitWarn: true,
    throwOnConnect: true,
  });
}

/** The well-known development accounts (sr25519), by lower-case name, in `api`'s address format. */
export async function devAccounts(api) {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 });
  const names = ['alice', 'bob', 'charlie', 'dave', 'eve', 'ferdie'];
  return Object.fromEntries(
    names.map((n) => [n, keyring.addFromUri(`//${n[0].toUpperCase()}${n.slice(1)}`)]),
  );
}

/**
 * Registers `node:test` hooks that connect to `OCOS_WS` before the file's tests and disconnect
 * after them; the returned object holds `api` and the dev accounts `who` once connected.
 */
export function useChain() {
  const chain = {};
  before(async () => {
    chain.api = await connect();
    chain.who = await devAccounts(chain.api);
  });
  after(() => chain.api?.disconnect());
  return chain;
}

/** `pallet.Error` (or the variant of a non-module error, e.g. `BadOrigin`) of a DispatchError. */
export function errorName(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.type;
}

/**
 * Signs `tx` by `signer` (unsigned when `signer` is null) and resolves once it is in a block with
 * `{ blockHash, events, error }`: the transaction's events and its dispatch error's name, or null
 * when it succeeded. Rejects when the pool refuses or drops it.
 */
export function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let done = false;
    let unsubscribe = null;
    const finish = (action) => {
      if (done) return;
      done = true;
      if (unsubscribe) unsubscribe();
      action();
    };
    const onStatus = ({ status, events, dispatchError }) => {
      if (status.isInBlock) {
        finish(() =>
          resolve({
            blockHash: status.asInBlock,
            events: events.map(({ event }) => event),
            error: dispatchError ? errorName(api, dispatchError) : null,
          }),
        );
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(() => reject(new Error(`transaction ${status.type}`)));
      }
    };
    const submitted = signer ? tx.signAndSend(signer, onStatus) : tx.send(onStatus);
    submitted.then(
      (unsub) => {
        unsubscribe = unsub;
        if (done) unsub();
      },
      (err) => finish(() => reject(err)),
    );
  });
}

/** Like `send`, but fails unless the transaction succeeded. */
export async function sendOk(api, tx, signer) {
  const result = await send(api, tx, signer);
  if (result.error) throw new Error(`${tx.method.section}.${tx.method.method} failed: ${result.error}`);
  return result;
}

/** The first event `section.method` among `events` (decoded `Event`s), or undefined. */
export function findEvent(events, section, method, where = () => true) {
  return events.find((e) => e.section === section && e.method === method && where(e.data));
}

/**
 * Resolves with the first header from `subscribe` (default: new best heads) for which
 * `predicate(header)` holds.
 */
export function waitForHead(api, predicate, subscribe = api.rpc.chain.subscribeNewHeads) {
  return new Promise((resolve, reject) => {
    let unsubscribe = null;
    let done = false;
    subscribe((header) => {
      if (done || !predicate(header)) return;
      done = true;
      if (unsubscribe) unsubscribe();
      resolve(header);
    }).then(
      (unsub) => {
        unsubscribe = unsub;
        if (done) unsub();
      },
      reject,
    );
  });
}

/** Resolves once the best block number is at least `number`. */
export function waitForBlock(api, number) {
  return waitForHead(api, (header) => header.number.toNumber() >= number);
}

/** Resolves once the finalized block number is at least `number`. */
export function waitForFinalized(api, number) {
  return waitForHead(
    api,
    (header) => header.number.toNumber() >= number,
    api.rpc.chain.subscribeFinalizedHeads,
  );
}

/** The events of block `number` of the best chain. */
export async function eventsAt(api, number) {
  const hash = await api.rpc.chain.getBlockHash(number);
  const at = await api.at(hash);
  return (await at.query.system.events()).map(({ event }) => event);
}
