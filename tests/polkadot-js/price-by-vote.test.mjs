// Token holders change a billing price by DAO vote from Polkadot.js: the DAO pallet's calls,
// events, storage and errors all decode by name; several accounts vote with their own weight;
// the new price is read back after the scheduled enactment, and the votes' freezes are released.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UNIT, findEvent, send, sendOk, useChain } from './lib/chain.mjs';
import { close, enactment, propose, vote } from './lib/dao.mjs';

const chain = useChain();

test('the DAO pallet decodes by name', async () => {
  const { api } = chain;
  const calls = ['propose', 'vote', 'removeVote', 'unlock', 'close', 'cancel', 'enact', 'setParams'];
  for (const call of calls) {
    assert.equal(typeof api.tx.dao[call], 'function', `dao.${call}`);
    for (const arg of api.tx.dao[call].meta.args) assert.ok(arg.name.toString(), `dao.${call} arg`);
  }
  const events = ['Proposed', 'Voted', 'VoteRemoved', 'Unlocked', 'Passed', 'Rejected',
    'Cancelled', 'Enacted', 'ParamsSet'];
  for (const event of events) {
    const meta = api.events.dao[event]?.meta;
    assert.ok(meta, `event dao.${event}`);
    assert.ok(meta.fields.every((f) => f.name.isSome), `dao.${event} has named fields`);
  }
  for (const item of ['params', 'proposalCount', 'proposals', 'openProposals', 'votesOf']) {
    assert.equal(typeof api.query.dao[item], 'function', `storage dao.${item}`);
  }
  // Storage values come back as typed values with named fields.
  const params = await api.query.dao.params();
  for (const field of ['proposalDeposit', 'votingPeriod', 'enactmentDelay', 'quorum', 'approval',
    'spamThreshold']) {
    assert.ok(params[field] !== undefined, `dao.params.${field}`);
  }
  assert.ok(params.votingPeriod.toNumber() > 0);
  assert.equal((await api.query.dao.proposalCount()).toNumber(), 0);
  assert.equal((await api.query.dao.openProposals()).length, 0);
  for (const error of ['NotVoting', 'VotingEnded', 'InsufficientBalance', 'EnactmentNotDue']) {
    assert.ok(api.errors.dao[error], `error dao.${error}`);
  }
});

test('a price changes only by a passed proposal', async () => {
  const { api, who } = chain;
  const resource = { GpuMillis: 'Entry' };
  const before = (await api.query.billing.prices(resource)).unwrap().toBigInt();
  const newPrice = before * 2n;
  const setPrice = api.tx.billing.setPrice(resource, newPrice);

  // Nobody sets it directly.
  const direct = await send(api, setPrice, who.alice);
  assert.equal(direct.error, 'BadOrigin');

  const params = await api.query.dao.params();
  const { index, end } = await propose(api, setPrice, who.bob, 'Double the entry GPU price');
  const stored = (await api.query.dao.proposals(index)).unwrap();
  assert.ok(stored.proposer.eq(who.bob.address), stored.proposer.toString());
  assert.equal(stored.deposit.toBigInt(), params.proposalDeposit.toBigInt());
  assert.equal(stored.description.toUtf8(), 'Double the entry GPU price');
  assert.ok(stored.status.isVoting);
  assert.equal(stored.status.asVoting.end.toNumber(), end);

  // Three holders vote aye and one nay, each with the weight they choose.
  const weight = 300_000n * UNIT;
  await vote(api, index, [
    [who.alice, true, weight],
    [who.charlie, true, weight],
    [who.dave, true, weight],
    [who.eve, false, 100_000n * UNIT],
  ]);
  const tally = (await api.query.dao.proposals(index)).unwrap().tally;
  assert.equal(tally.ayes.toBigInt(), 3n * weight);
  assert.equal(tally.nays.toBigInt(), 100_000n * UNIT);
  const daveVotes = await api.query.dao.votesOf(who.dave.address);
  assert.deepEqual(
    daveVotes.map(([i, v]) => [i.toNumber(), v.aye.isTrue, v.amount.toBigInt()]),
    [[index, true, weight]],
  );
  const freezes = await api.query.balances.freezes(who.dave.address);
  assert.ok(
    freezes.some((f) => f.id.isDao && f.id.asDao.isVoting && f.amount.toBigInt() === weight),
    `Dave's vote is frozen: ${JSON.stringify(freezes.toHuman())}`,
  );

  const { outcome, blockHash } = await close(api, index, end, who.ferdie);
  assert.equal(outcome.method, 'Passed');
  assert.equal(outcome.data.ayes.toBigInt(), 3n * weight);
  const enactAt = outcome.data.enactAt.toNumber();
  // Passed, but not yet in force: enactment waits for the enactment delay.
  const atClose = await api.at(blockHash);
  assert.equal((await atClose.query.billing.prices(resource)).unwrap().toBigInt(), before);
  assert.ok(enactAt > (await api.rpc.chain.getHeader(blockHash)).number.toNumber());

  const { result, events } = await enactment(api, index, enactAt);
  assert.ok(result.isOk, `enacted with ${result.toString()}`);
  assert.ok(findEvent(events, 'billing', 'PriceSet'), 'billing.PriceSet at enactment');
  assert.equal((await api.query.billing.prices(resource)).unwrap().toBigInt(), newPrice);
  const status = (await api.query.dao.proposals(index)).unwrap().status;
  assert.ok(status.isEnacted && status.asEnacted.ok.isTrue, status.toString());

  // The vote is over: Dave's freeze is lifted on request, by anyone.
  const unlocked = await sendOk(api, api.tx.dao.unlock(who.dave.address), who.ferdie);
  assert.ok(findEvent(unlocked.events, 'dao', 'Unlocked', (d) => d.who.eq(who.dave.address)));
  const left = await api.query.balances.freezes(who.dave.address);
  assert.ok(!left.some((f) => f.id.isDao), `Dave still frozen: ${JSON.stringify(left.toHuman())}`);
});
