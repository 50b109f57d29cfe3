import { LuaScript } from '../lua-script.js';

/**
 * Opens a session unless its user already has `max` live ones. A retried open of
 * the same id for the same user answers 1 again; an id held by another user -1.
 * At the limit, ids whose session hash is gone (see ORPHAN_GRACE_MS) are pruned
 * from the user's set before refusing.
 * KEYS: 1 sess:<id>  2 user:<username>  3 gw:<gateway>  4 deadlines
 * ARGV: 1 id  2 username  3 clientIp  4 gateway  5 protocol  6 max  7 nowMs  8 ttlMs
 *       9 key prefix  10 orphan grace ms
 */
export const openSession = new LuaScript(
  'openSession',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'username') == ARGV[2] and redis.call('HEXISTS', KEYS[1], 'expiring') == 0 then return 1 end
  return -1
end
local max = tonumber(ARGV[6])
local count = redis.call('SCARD', KEYS[2])
if count >= max then
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if redis.call('EXISTS', ARGV[9] .. 'sess:' .. id) == 0 then
      redis.call('SREM', KEYS[2], id)
      count = count - 1
    end
  end
  if count >= max then return 0 end
end
redis.call('HSET', KEYS[1], 'username', ARGV[2], 'clientIp', ARGV[3], 'gateway', ARGV[4], 'protocol', ARGV[5], 'openedAt', ARGV[7], 'lastSeenAt', ARGV[7])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[8]) + tonumber(ARGV[10]))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], tonumber(ARGV[7]) + tonumber(ARGV[8]), ARGV[1])
return 1
`,
);

/**
 * Refreshes the sessions a gateway still holds; ids the store no longer has (or
 * that belong to another gateway, or are being expired) come back as unknown.
 * KEYS: 1 deadlines   ARGV: 1 key prefix  2 gateway  3 nowMs  4 ttlMs  5 orphan grace ms  6.. session ids
 * Returns {refreshed, {unknown ids}}.
 */
export const heartbeat = new LuaScript(
  'heartbeat',
  `
local now = tonumber(ARGV[3])
local deadline = now + tonumber(ARGV[4])
local keep = tonumber(ARGV[4]) + tonumber(ARGV[5])
local refreshed = 0
local unknown = {}
for i = 6, #ARGV do
  local id = ARGV[i]
  local key = ARGV[1] .. 'sess:' .. id
  local found = redis.call('HMGET', key, 'gateway', 'expiring')
  if found[1] == ARGV[2] and not found[2] then
    redis.call('HSET', key, 'lastSeenAt', ARGV[3])
    redis.call('PEXPIRE', key, keep)
    redis.call('ZADD', KEYS[1], deadline, id)
    refreshed = refreshed + 1
  else
    unknown[#unknown + 1] = id
  end
end
return {refreshed, unknown}
`,
);

/**
 * Removes a session and its bookkeeping, returning its fields (empty when it was
 * not there). With a username/gateway given, removes only a session that matches.
 * KEYS: 1 sess:<id>  2 deadlines   ARGV: 1 key prefix  2 id  3 username or ''  4 gateway or ''
 */
export const removeSession = new LuaScript(
  'removeSession',
  `
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return {} end
local record = {}
for i = 1, #fields, 2 do record[fields[i]] = fields[i + 1] end
if (ARGV[3] ~= '' and record.username ~= ARGV[3]) or (ARGV[4] ~= '' and record.gateway ~= ARGV[4]) then return {} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if record.username then redis.call('SREM', ARGV[1] .. 'user:' .. record.username, ARGV[2]) end
if record.gateway then redis.call('SREM', ARGV[1] .. 'gw:' .. record.gateway, ARGV[2]) end
return fields
`,
);

/**
 * Claims sessions whose deadline passed: marks each "expiring" and moves its
 * deadline to now + lease, atomically, so of several instances sweeping at once
 * exactly one gets each session. The claimant publishes session.expired and
 * then removes the session; if it dies first, the lease runs out and another
 * instance claims the session again.
 * KEYS: 1 deadlines   ARGV: 1 key prefix  2 nowMs  3 leaseMs  4 limit  5 orphan grace ms
 * Returns {id1, {fields1}, id2, {fields2}, ...}.
 */
export const claimExpired = new LuaScript(
  'claimExpired',
  `
local now = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  local key = ARGV[1] .. 'sess:' .. id
  local fields = redis.call('HGETALL', key)
  if #fields == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('HSET', key, 'expiring', '1')
    redis.call('PEXPIRE', key, tonumber(ARGV[3]) + tonumber(ARGV[5]))
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), id)
    out[#out + 1] = id
    out[#out + 1] = fields
  end
end
return out
`,
);
