/**
 * The one Lua script every Redis limiter runs, once per acquire attempt (EVALSHA, EVAL on
 * NOSCRIPT). It is the only writer of the account's hash, so processes on any number of machines
 * share one bucket atomically. It is a line-by-line copy of bucket.ts (the conformance test runs
 * both on the same steps); numbers are stored with `%.17g`, so they round-trip exactly.
 *
 * Clock: Redis `TIME` (or ARGV[2] when the limiter is built with `timeSource: 'clock'`, for tests).
 * The local-day windows come from JavaScript (IANA zones are not in Lua): the window holding the
 * caller's estimate of Redis time and the one after it; when `TIME` is in neither, the script
 * answers `window` with its time and the caller asks again.
 *
 * Trust: the hash records Redis's `run_id` at each sync. A missing hash (restart without
 * persistence, FLUSH, expiry) or another `run_id` (a restart that reloaded an older snapshot, a
 * failover to a replica that may lag) answers `needs-sync`: nothing is granted from a count that
 * may be low. Keys expire a day after their window ends, or after their drain ends.
 *
 * KEYS[1] the account's hash: ws we limit used tokens ts drain run, and pre prews (bucket.ts `unsynced`:
 *         unmetered sync requests granted without a bucket in the window starting at prews)
 * ARGV    1 op (acquire | sync | drain | status), 2 now ms ('' = TIME), 3 burst, 4 reservePercent,
 *         5-8 current window start, end, next window start, end (sync: the answer's window twice),
 *         9 acquire: mode (normal | priority | sync); sync: used; drain: ms ('' = until the reset),
 *         10 sync: limit
 */
import { createHash } from 'node:crypto';

export const LIMITER_LUA = `
local key = KEYS[1]
local op = ARGV[1]
local t
if ARGV[2] == '' then
  local time = redis.call('TIME')
  t = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
else
  t = tonumber(ARGV[2])
end
local burst = tonumber(ARGV[3])
local pct = tonumber(ARGV[4])
local w0s, w0e, w1s, w1e = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local EPS = 1e-9
local KEEP_MS = 86400000

local function num(x) return string.format('%.17g', x) end
local function capOf(limit)
  return limit - math.max(0, math.min(limit, math.ceil(limit * pct / 100 - EPS)))
end

local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)') or ''
local f = redis.call('HMGET', key, 'ws', 'we', 'limit', 'used', 'tokens', 'ts', 'drain', 'run', 'pre', 'prews')
local drain = tonumber(f[7]) or 0
local b = nil
local why = 'missing'
if f[3] then
  if (f[8] or '') == run then
    b = { ws = tonumber(f[1]), we = tonumber(f[2]), limit = tonumber(f[3]), used = tonumber(f[4]), tokens = tonumber(f[5]), ts = tonumber(f[6]) }
  else
    why = 'restarted'
  end
end

local function refill(s)
  local cap = capOf(s.limit)
  if t > s.ts then
    local room = cap - s.used - s.tokens
    if room > 0 then
      s.tokens = math.min(burst, s.tokens + room * (t - s.ts) / math.max(1, s.we - 1 - s.ts))
    end
    s.ts = t
  end
  s.tokens = math.max(0, math.min(s.tokens, cap - s.used))
end

local function advance(s)
  if t >= s.we then
    if t >= w0s and t < w0e then s.ws = w0s; s.we = w0e
    elseif t >= w1s and t < w1e then s.ws = w1s; s.we = w1e
    else return false end
    s.used = 0
    s.tokens = math.min(burst, capOf(s.limit))
    s.ts = t
    return true
  end
  refill(s)
  return true
end

local function save(s)
  local keep = math.max(0, drain - t)
  if s then
    redis.call('HSET', key, 'ws', num(s.ws), 'we', num(s.we), 'limit', num(s.limit), 'used', num(s.used),
      'tokens', num(s.tokens), 'ts', num(s.ts), 'drain', num(drain), 'run', run)
    keep = math.max(keep, s.we - t)
  else
    redis.call('HSET', key, 'drain', num(drain))
  end
  redis.call('PEXPIRE', key, math.floor(keep + KEEP_MS))
end

local function granted(s)
  return { 'granted', num(t), '1', num(s.ws), num(s.we), num(s.used), num(s.limit) }
end

if op == 'acquire' then
  local mode = ARGV[9]
  if drain > t then return { 'wait', num(t), num(drain - t), 'drain' } end
  if not b then
    if mode ~= 'sync' then return { 'needs-sync', num(t), why } end
    if t < w0s or t >= w0e then return { 'window', num(t) } end
    local earlier = 0
    if tonumber(f[10]) == w0s then earlier = tonumber(f[9]) or 0 end
    redis.call('HSET', key, 'pre', num(earlier + 1), 'prews', num(w0s))
    redis.call('PEXPIRE', key, math.floor(math.max(drain - t, w0e - t) + KEEP_MS))
    return { 'granted', num(t), '0', num(w0s), num(w0e), '0', '0' }
  end
  if not advance(b) then return { 'window', num(t) } end
  local cap = capOf(b.limit)
  if mode ~= 'normal' then
    if b.used < b.limit then
      b.used = b.used + 1
      b.tokens = math.max(0, math.min(b.tokens, cap - b.used))
      save(b)
      return granted(b)
    end
    save(b)
    return { 'wait', num(t), num(b.we - t), 'spent' }
  end
  if b.used >= cap then
    save(b)
    return { 'wait', num(t), num(b.we - t), 'spent' }
  end
  if b.tokens >= 1 - EPS then
    b.tokens = math.max(0, b.tokens - 1)
    b.used = b.used + 1
    save(b)
    return granted(b)
  end
  local room = cap - b.used - b.tokens
  local ms = math.min(b.we - t, math.max(1, math.ceil((1 - EPS / 2 - b.tokens) * math.max(1, b.we - 1 - t) / room)))
  save(b)
  return { 'wait', num(t), num(ms), 'pace' }
end

if op == 'sync' then
  local used, limit = tonumber(ARGV[9]), tonumber(ARGV[10])
  local others = 0
  if tonumber(f[10]) == w0s then others = math.max(0, (tonumber(f[9]) or 0) - 1) end
  redis.call('HDEL', key, 'pre', 'prews')
  if b and t < b.we then
    refill(b)
    if b.ws == w0s then
      b.used = math.max(b.used, used)
      b.limit = limit
    elseif b.ws > w0s then
      b.limit = limit
    else
      b = nil
    end
  else
    b = nil
  end
  if b then
    b.tokens = math.max(0, math.min(b.tokens, burst, capOf(b.limit) - b.used))
  else
    b = { ws = w0s, we = w0e, limit = limit, used = used + others, tokens = 0, ts = t }
    b.tokens = math.max(0, math.min(burst, capOf(limit) - b.used))
  end
  save(b)
  return { 'synced', num(t) }
end

if op == 'drain' then
  if t < w0s or t >= w0e then return { 'window', num(t) } end
  local ms = (ARGV[9] == '') and (w0e - t) or tonumber(ARGV[9])
  drain = math.max(drain, t + ms)
  save(b)
  return { 'drained', num(t), num(drain) }
end

if op == 'status' then
  if b then
    if not advance(b) then return { 'window', num(t) } end
    return { 'status', num(t), '1', num(b.ws), num(b.we), num(b.limit), num(b.used), num(b.tokens), num(drain) }
  end
  if t < w0s or t >= w0e then return { 'window', num(t) } end
  return { 'status', num(t), '0', num(w0s), num(w0e), '0', '0', '0', num(drain) }
end

return redis.error_reply('optimo limiter: unknown op ' .. tostring(op))
`;

/** SHA-1 of the script, for EVALSHA. */
export const LIMITER_LUA_SHA = createHash('sha1').update(LIMITER_LUA).digest('hex');
