-- SPEC 2.1 step 7 and SPEC 3 in one round trip: an optional nonce and N token buckets.
--
-- KEYS: [nonce key if ARGV[2] == '1'] then one key per bucket.
-- ARGV: [1] mode: 'take' (decide and record) or 'peek' (report, write nothing)
--       [2] '1' when KEYS[1] is a nonce, else '0'
--       [3] nonce TTL in seconds
--       then per bucket: capacity, refill per second, cost
-- Returns {verdict, bucket index (1-based among buckets), remaining, ms until full,
--          ms until the cost is available, server time in seconds}
-- verdict: 1 pass, 0 a bucket is empty (nothing taken, nonce not stored), -1 nonce replayed.
-- Buckets refill continuously from the time Redis itself reports, so every gateway
-- instance sees the same clock.
local mode = ARGV[1]
local has_nonce = ARGV[2] == '1'
local nonce_ttl = tonumber(ARGV[3])
local time = redis.call('TIME')
local now_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local first = 1
if has_nonce then
  first = 2
  if mode == 'take' and redis.call('EXISTS', KEYS[1]) == 1 then
    return {-1, 0, 0, 0, 0, tonumber(time[1])}
  end
end

-- The capacity, refill per second and cost of bucket i (1-based), from ARGV.
local function bucket(i)
  local base = 3 + (i - 1) * 3
  return tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
end

local count = #KEYS - first + 1
if count == 0 then
  -- A nonce alone (on Redis Cluster the buckets live in other slots and are asked apart).
  if has_nonce and mode == 'take' then
    redis.call('SET', KEYS[1], '1', 'EX', nonce_ttl)
  end
  return {1, 0, 0, 0, 0, tonumber(time[1])}
end
local level = {}
local denied = 0
local report = 0
local report_fraction = 2
for i = 1, count do
  local key = KEYS[first + i - 1]
  local capacity, rate, cost = bucket(i)
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = capacity
  else
    tokens = math.min(capacity, tokens + math.max(0, now_ms - at) * rate / 1000)
  end
  level[i] = tokens
  if tokens < cost and denied == 0 then
    denied = i
  end
  -- The bucket that "applied" is the one closest to empty after this request.
  local fraction = (tokens - cost) / capacity
  if fraction < report_fraction then
    report_fraction = fraction
    report = i
  end
end

local function describe(i, after)
  local capacity, rate = bucket(i)
  local full_ms = math.ceil((capacity - after) * 1000 / rate)
  local wait_ms = 0
  if after < 0 then
    wait_ms = math.ceil(-after * 1000 / rate)
  end
  return math.max(0, math.floor(after)), full_ms, wait_ms
end

if denied > 0 then
  local _, _, cost = bucket(denied)
  local remaining, full_ms, wait_ms = describe(denied, level[denied] - cost)
  return {0, denied, remaining, full_ms, wait_ms, tonumber(time[1])}
end

if mode == 'take' then
  for i = 1, count do
    local key = KEYS[first + i - 1]
    local capacity, rate, cost = bucket(i)
    redis.call('HSET', key, 'tokens', tostring(level[i] - cost), 'at', now_ms)
    redis.call('PEXPIRE', key, math.ceil(capacity * 1000 / rate) + 1000)
  end
  if has_nonce then
    redis.call('SET', KEYS[1], '1', 'EX', nonce_ttl)
  end
end

local cost = 0
if mode == 'take' then
  local _
  _, _, cost = bucket(report)
end
local remaining, full_ms, wait_ms = describe(report, level[report] - cost)
return {1, report, remaining, full_ms, 0, tonumber(time[1])}
