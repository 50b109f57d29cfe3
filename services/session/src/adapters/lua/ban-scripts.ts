import { LuaScript } from '../lua-script.js';

/**
 * Counts one login failure, once: dedupe by event id, then a sliding window per
 * address (ban when over the threshold) and, unless the address is known for
 * that account or the account is already throttled, a sliding window per
 * account (throttle for the next delay of the schedule when over).
 *
 * KEYS: 1 seen:<eventId>  2 ipfail:<ip>  3 ban:<ip>  4 bans (index)  5 userfail:<user>
 *       6 throttle:<user>  7 throttles (index)  8 strikes:<user>  9 known:<user>
 * ARGV: 1 eventId  2 eventTimeMs  3 nowMs  4 ip  5 username  6 countIp (1/0)
 *       7 ipThreshold  8 ipWindowMs  9 banMs  10 userThreshold  11 userWindowMs
 *       12 strikeMemoryMs  13 dedupeMs  14.. throttle delays by strike (last repeats)
 * Returns {duplicate, newlyBanned, newlyThrottled, ipCount, userCount}.
 */
export const recordFailure = new LuaScript(
  'recordFailure',
  `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[13]) then return {1, 0, 0, 0, 0} end
local t = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local banned, throttled, ipCount, userCount = 0, 0, 0, 0
if ARGV[6] == '1' then
  local w = tonumber(ARGV[8])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - w)
  redis.call('ZADD', KEYS[2], t, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], w)
  ipCount = redis.call('ZCARD', KEYS[2])
  if ipCount > tonumber(ARGV[7]) and redis.call('EXISTS', KEYS[3]) == 0 then
    local d = tonumber(ARGV[9])
    redis.call('SET', KEYS[3], ipCount, 'PX', d)
    redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
    redis.call('ZADD', KEYS[4], now + d, ARGV[4])
    redis.call('DEL', KEYS[2])
    banned = 1
  end
end
local known = redis.call('ZSCORE', KEYS[9], ARGV[4])
if (not known or tonumber(known) <= now) and redis.call('EXISTS', KEYS[6]) == 0 then
  local w = tonumber(ARGV[11])
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - w)
  redis.call('ZADD', KEYS[5], t, ARGV[1])
  redis.call('PEXPIRE', KEYS[5], w)
  userCount = redis.call('ZCARD', KEYS[5])
  if userCount > tonumber(ARGV[10]) then
    local strike = redis.call('INCR', KEYS[8])
    redis.call('PEXPIRE', KEYS[8], ARGV[12])
    local delays = #ARGV - 13
    local d = tonumber(ARGV[13 + math.min(strike, delays)])
    redis.call('SET', KEYS[6], strike, 'PX', d)
    redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now)
    redis.call('ZADD', KEYS[7], now + d, ARGV[5])
    redis.call('DEL', KEYS[5])
    throttled = 1
  end
end
return {0, banned, throttled, ipCount, userCount}
`,
);

/**
 * A successful login makes (username, address) known for a while and forgets
 * the account's failure count and strikes.
 * KEYS: 1 known:<user>  2 userfail:<user>  3 strikes:<user>   ARGV: 1 ip  2 nowMs  3 knownTtlMs
 */
export const recordSuccess = new LuaScript(
  'recordSuccess',
  `
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('DEL', KEYS[2], KEYS[3])
return 1
`,
);

/**
 * What blocks a connection: milliseconds left on the address ban and on the
 * account throttle (-1 when none; the throttle does not apply to a known address).
 * KEYS: 1 ban:<ip>  2 throttle:<user>  3 known:<user>   ARGV: 1 ip  2 nowMs  3 checkUser (1/0)
 */
export const blockState = new LuaScript(
  'blockState',
  `
local ban = redis.call('PTTL', KEYS[1])
if ban < 0 then ban = -1 end
local throttle = -1
if ARGV[3] == '1' then
  local known = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if not known or tonumber(known) <= tonumber(ARGV[2]) then
    throttle = redis.call('PTTL', KEYS[2])
    if throttle < 0 then throttle = -1 end
  end
end
return {ban, throttle}
`,
);
