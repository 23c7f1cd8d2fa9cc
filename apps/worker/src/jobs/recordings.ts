/**
 * Cross-file duplicates: the FIT and the TCX export of one ride hold the same recording under
 * different external ids. Before a workout is uploaded its fingerprint (start to the second,
 * elapsed seconds) is claimed for the account and athlete; a claim that finds a recording within
 * `sameRecording`'s tolerances (start ±5 s, duration ±max(2 %, 10 s)) owned by another file (or
 * another entry of the same file) makes this workout a duplicate. The claim is atomic (one Lua
 * script in Redis, or one process in embedded mode), so two workers taking the FIT and the TCX at
 * the same moment upload one of them.
 */
import type { Redis } from 'ioredis';
import { parseFingerprint, sameRecording } from '@optimo-import/workout';
import { REDIS_KEYS } from './keys.js';

export interface RecordingOwner {
  jobId: string;
  /** The workout's place in the file (`entry#index`). */
  slot: string;
  fileName: string;
  workoutId?: string;
}

export type ClaimResult = { claimed: true } | { claimed: false; owner: RecordingOwner };

export interface RecordingStore {
  /** Claims a recording for `owner`; the same owner claiming again (a job run again) is granted. */
  claim(account: string, athleteId: string, fingerprint: string, owner: RecordingOwner): Promise<ClaimResult>;
  /** Records the workout id of a claim once uploaded. */
  settle(account: string, athleteId: string, fingerprint: string, owner: RecordingOwner): Promise<void>;
  /** Gives a claim up (the upload failed for good). */
  release(account: string, athleteId: string, fingerprint: string, owner: RecordingOwner): Promise<void>;
}

/** Start tolerance of `sameRecording`, seconds. */
const START_TOLERANCE = 5;

function memberOf(fingerprint: string, owner: RecordingOwner): string {
  return `${fingerprint}|${owner.jobId}|${owner.slot}`;
}

/**
 * KEYS: the zset (score = start second, member = `<fingerprint>|<jobId>|<slot>`), the owners hash
 * (member → owner JSON). ARGV: start second, elapsed seconds, member, owner JSON, job id, slot.
 * Returns nil when claimed, else the owner JSON of the recording found.
 */
const CLAIM_LUA = `
local start = tonumber(ARGV[1])
local elapsed = tonumber(ARGV[2])
local found = redis.call('ZRANGEBYSCORE', KEYS[1], start - ${START_TOLERANCE}, start + ${START_TOLERANCE})
for _, member in ipairs(found) do
  local fp, job, slot = string.match(member, '^([^|]*)|([^|]*)|(.*)$')
  local other = tonumber(string.match(fp or '', '/(%d+)$'))
  if other then
    local longer = math.max(elapsed, other)
    local tolerance = math.max(longer * 0.02, 10)
    if math.abs(elapsed - other) <= tolerance then
      if job == ARGV[5] and slot == ARGV[6] then return false end
      local owner = redis.call('HGET', KEYS[2], member)
      return owner or cjson.encode({ jobId = job, slot = slot, fileName = job })
    end
  end
end
redis.call('ZADD', KEYS[1], start, ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return false
`;

function parsed(fingerprint: string): { start: number; elapsed: number } {
  const value = parseFingerprint(fingerprint);
  if (value === undefined) throw new RangeError(`[recordings] not a fingerprint: ${JSON.stringify(fingerprint)}`);
  return { start: Math.floor(value.startTime / 1000), elapsed: value.elapsedSeconds };
}

export function createRedisRecordingStore(redis: Redis): RecordingStore {
  const keys = (account: string, athleteId: string): [string, string] => {
    const zset = REDIS_KEYS.recordings(account, athleteId);
    return [zset, `${zset}:owners`];
  };
  return {
    async claim(account, athleteId, fingerprint, owner) {
      const { start, elapsed } = parsed(fingerprint);
      const member = memberOf(fingerprint, owner);
      const reply = await redis.eval(CLAIM_LUA, 2, ...keys(account, athleteId), String(start), String(elapsed), member, JSON.stringify(owner), owner.jobId, owner.slot);
      if (typeof reply !== 'string') return { claimed: true };
      return { claimed: false, owner: JSON.parse(reply) as RecordingOwner };
    },
    async settle(account, athleteId, fingerprint, owner) {
      const [, owners] = keys(account, athleteId);
      await redis.hset(owners, memberOf(fingerprint, owner), JSON.stringify(owner));
    },
    async release(account, athleteId, fingerprint, owner) {
      const [zset, owners] = keys(account, athleteId);
      const member = memberOf(fingerprint, owner);
      await redis.multi().zrem(zset, member).hdel(owners, member).exec();
    },
  };
}

/** Embedded mode: the same rules in this process's memory (rebuilt from the results file at start). */
export function createMemoryRecordingStore(): RecordingStore {
  const claims = new Map<string, Array<{ fingerprint: string; owner: RecordingOwner }>>();
  const listOf = (account: string, athleteId: string): Array<{ fingerprint: string; owner: RecordingOwner }> => {
    const key = `${account}\n${athleteId}`;
    let list = claims.get(key);
    if (list === undefined) {
      list = [];
      claims.set(key, list);
    }
    return list;
  };
  const same = (a: RecordingOwner, b: RecordingOwner): boolean => a.jobId === b.jobId && a.slot === b.slot;
  return {
    async claim(account, athleteId, fingerprint, owner) {
      parsed(fingerprint);
      const list = listOf(account, athleteId);
      const found = list.find((claim) => sameRecording(claim.fingerprint, fingerprint, { startToleranceSeconds: START_TOLERANCE }));
      if (found === undefined) {
        list.push({ fingerprint, owner: { ...owner } });
        return { claimed: true };
      }
      return same(found.owner, owner) ? { claimed: true } : { claimed: false, owner: { ...found.owner } };
    },
    async settle(account, athleteId, fingerprint, owner) {
      const found = listOf(account, athleteId).find((claim) => claim.fingerprint === fingerprint && same(claim.owner, owner));
      if (found) found.owner = { ...owner };
    },
    async release(account, athleteId, fingerprint, owner) {
      const list = listOf(account, athleteId);
      const index = list.findIndex((claim) => claim.fingerprint === fingerprint && same(claim.owner, owner));
      if (index >= 0) list.splice(index, 1);
    },
  };
}
