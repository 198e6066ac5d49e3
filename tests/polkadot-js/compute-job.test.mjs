// A developer's GPU job from Polkadot.js: put the input on IPFS, submit `compute.submitJob`,
// follow the job through the `ComputeApi` runtime API until the worker's attestation settles
// it, read it through the `ocos_job` RPC too, and fetch the output from IPFS by its CID.
// Needs OCOS_WS (a node of a network with a worker) and OCOS_IPFS_API (that worker's daemon).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UNIT, findEvent, sendOk, useChain, waitForBlock } from './lib/chain.mjs';

const chain = useChain();
const ipfs = process.env.OCOS_IPFS_API;

// out[i] = in[i] * 3 + 1 over 64 u32 words.
const KERNEL = `
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  output[id.x] = input[id.x] * 3u + 1u;
}`;

async function ipfsAdd(bytes) {
  const form = new FormData();
  form.append('file', new Blob([bytes]));
  const response = await fetch(`${ipfs}/api/v0/add?pin=true`, { method: 'POST', body: form });
  assert.ok(response.ok, `ipfs add: ${response.status}`);
  return (await response.json()).Hash;
}

async function ipfsCat(cid) {
  const response = await fetch(`${ipfs}/api/v0/cat?arg=${cid}`, { method: 'POST' });
  assert.ok(response.ok, `ipfs cat: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

test('a developer submits a GPU job and reads its result', async () => {
  const { api, who } = chain;
  assert.ok(ipfs, 'OCOS_IPFS_API is not set');
  const input = new Uint32Array(64).map((_, i) => i * 1000 + 7);
  const inputCid = await ipfsAdd(new Uint8Array(input.buffer));

  const spec = {
    source: { Inline: KERNEL },
    entryPoint: 'main',
    workgroups: { x: 1, y: 1, z: 1 },
    inputs: [inputCid],
    outputSize: 256,
    gpuClass: 'Entry',
    determinism: 'BitExact',
    deadline: 20,
  };
  const { events } = await sendOk(api, api.tx.compute.submitJob(spec, 1, 5n * UNIT), who.dave);
  const submitted = findEvent(events, 'compute', 'JobSubmitted');
  assert.ok(submitted, 'no JobSubmitted event');
  const id = submitted.data.job.toNumber();
  const assigned = findEvent(events, 'compute', 'JobAssigned');
  assert.equal(assigned.data.job.toNumber(), id);

  // The job as the runtime API reports it, by name: poll until it leaves `Assigned`.
  let job = (await api.call.computeApi.job(id)).unwrap();
  assert.equal(job.customer.toString(), who.dave.address);
  while (job.status.isAssigned) {
    await waitForBlock(api, (await api.rpc.chain.getHeader()).number.toNumber() + 1);
    job = (await api.call.computeApi.job(id)).unwrap();
  }
  assert.ok(job.status.isCompleted, `job ended ${job.status.toString()}`);
  const completed = job.status.asCompleted;
  assert.ok(completed.payment.isSettled, completed.payment.toString());
  assert.ok(completed.payment.asSettled.charged.toBigInt() > 0n);
  const outputCid = new TextDecoder().decode(completed.outputCid.toU8a(true));

  // The same through the node's JSON RPC.
  const viaRpc = (await api.rpc.ocos.job(id)).toJSON();
  assert.equal(viaRpc.status.completed.outputCid, outputCid);
  assert.equal(viaRpc.status.completed.outputHash, completed.outputHash.toHex());
  assert.equal(viaRpc.customer, who.dave.address);

  // The output, from IPFS, is what the kernel computes.
  const output = new Uint32Array((await ipfsCat(outputCid)).buffer);
  assert.deepEqual(Array.from(output), Array.from(input, (x) => x * 3 + 1));
});
