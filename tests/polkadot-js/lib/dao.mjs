// A DAO proposal's life from Polkadot.js: propose, vote, close, enactment.

import { findEvent, eventsAt, sendOk, waitForBlock } from './chain.mjs';

/**
 * Proposes `call` (a `api.tx.<pallet>.<call>(...)` value, carried inline) by `proposer`;
 * resolves with `{ index, end }` from the `dao.Proposed` event.
 */
export async function propose(api, call, proposer, description) {
  const { events } = await sendOk(
    api,
    api.tx.dao.propose({ Inline: call.method.toHex() }, description),
    proposer,
  );
  const proposed = findEvent(events, 'dao', 'Proposed');
  if (!proposed) throw new Error('no dao.Proposed event');
  return { index: proposed.data.index.toNumber(), end: proposed.data.end.toNumber() };
}

/** Each of `votes` (`[account, aye, amount]`) votes on proposal `index`, in parallel. */
export async function vote(api, index, votes) {
  await Promise.all(
    votes.map(([who, aye, amount]) => sendOk(api, api.tx.dao.vote(index, aye, amount), who)),
  );
}

/**
 * Waits for the end of proposal `index`'s vote and closes it by `closer`; resolves with
 * `{ outcome, blockHash }`: the `dao.Passed` or `dao.Rejected` event and the closing block.
 */
export async function close(api, index, end, closer) {
  await waitForBlock(api, end);
  const { events, blockHash } = await sendOk(api, api.tx.dao.close(index), closer);
  const outcome = events.find(
    (e) => e.section === 'dao' && ['Passed', 'Rejected'].includes(e.method),
  );
  if (!outcome) throw new Error(`closing proposal ${index} emitted no outcome`);
  return { outcome, blockHash };
}

/**
 * Waits for the scheduled enactment of passed proposal `index` at `enactAt`; resolves with
 * `{ result, events }`: the `dispatchResult` of its `dao.Enacted` event and the block's events.
 */
export async function enactment(api, index, enactAt) {
  await waitForBlock(api, enactAt);
  const events = await eventsAt(api, enactAt);
  const enacted = findEvent(events, 'dao', 'Enacted', (d) => d.index.toNumber() === index);
  if (!enacted) throw new Error(`proposal ${index} was not enacted in block ${enactAt}`);
  return { result: enacted.data.result, events };
}

/**
 * Passes `call` with `votes` and waits for its enactment; resolves with what `enactment` does,
 * plus the proposal's `index` and the `dao.Passed` event.
 */
export async function pass(api, call, { proposer, votes, description }) {
  const { index, end } = await propose(api, call, proposer, description);
  await vote(api, index, votes);
  const { outcome } = await close(api, index, end, proposer);
  if (outcome.method !== 'Passed') throw new Error(`proposal ${index} was ${outcome.method}`);
  const enacted = await enactment(api, index, outcome.data.enactAt.toNumber());
  return { index, passed: outcome, ...enacted };
}
