-- docs/native-protocol.md step 7 and docs/rate-limits.md in one round trip: an optional nonce and N rate limits.
--
-- Each limit is a GCRA (generic cell rate algorithm), the token bucket kept as one number:
-- the theoretical arrival time (TAT) of the next request, in ms of Redis' own clock, in a
-- string key that expires when the bucket is full again. A bucket of capacity C refilling
-- r tokens a second holds (C*T - (TAT - now)) / T tokens, T = 1000 / r ms a token.
--
-- KEYS: [nonce key if ARGV[2] == '1'] then one key per bucket.
-- ARGV: [1] mode: 'take' (decide and record), 'peek' (report, write nothing) or 'give'
--       (undo a take: forget the nonce, hand one cost back to each bucket; Redis Cluster,
--       where one request's keys are taken in separate calls, undoes a partial take with it
--       so that a refused request takes nothing, as this script does in one call)
--       [2] '1' when KEYS[1] is a nonce, else '0'
--       [3] nonce TTL in seconds
--       then per bucket: capacity, refill per second, cost
-- Returns {verdict, bucket index (1-based among buckets), remaining, ms until full,
--          ms until the cost is available, server time in seconds}
-- verdict: 1 pass, 0 a bucket is empty (nothing taken, nonce not stored), -1 nonce replayed.
local take = ARGV[1] == 'take'
local has_nonce = ARGV[2] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local seconds = tonumber(time[1])

local stored = redis.call('MGET', unpack(KEYS))
local first = 1

if ARGV[1] == 'give' then
  if has_nonce then
    redis.call('DEL', KEYS[1])
    first = 2
  end
  for i = first, #KEYS do
    local base = 3 + (i - first) * 3
    local tat = tonumber(stored[i])
    if tat then
      local back = tat - tonumber(ARGV[base + 3]) * 1000 / tonumber(ARGV[base + 2])
      local ms = math.ceil(back - now)
      if ms > 0 then
        redis.call('SET', KEYS[i], tostring(back), 'PX', ms)
      else
        redis.call('DEL', KEYS[i])
      end
    end
  end
  return {1, 0, 0, 0, 0, seconds}
end

if has_nonce then
  first = 2
  if take and stored[1] then
    return {-1, 0, 0, 0, 0, seconds}
  end
end

local count = #KEYS - first + 1
local new_tat = {}
local denied = 0
local report = 0
local report_room = math.huge
local report_full, report_wait, report_tokens = 0, 0, 0
for i = 1, count do
  local base = 3 + (i - 1) * 3
  local capacity = tonumber(ARGV[base + 1])
  local t = 1000 / tonumber(ARGV[base + 2])
  local cost = tonumber(ARGV[base + 3])
  local tat = math.max(tonumber(stored[first + i - 1]) or now, now)
  local after = tat + (take and cost or 0) * t
  new_tat[i] = after
  -- Tokens left once this request is counted; negative: short by that many.
  local tokens = (capacity * t - (after - now)) / t
  if tokens < 0 and denied == 0 then
    denied = i
  end
  -- The bucket that "applied" is the one closest to empty after this request.
  local room = tokens / capacity
  if (denied == i) or (denied == 0 and room < report_room) then
    report, report_room = i, room
    report_tokens = math.max(0, math.floor(tokens))
    report_full = math.ceil(after - now)
    report_wait = tokens < 0 and math.ceil(-tokens * t) or 0
  end
end

if denied > 0 then
  return {0, report, report_tokens, report_full, report_wait, seconds}
end

if take then
  for i = 1, count do
    local ms = math.ceil(new_tat[i] - now)
    if ms > 0 then
      redis.call('SET', KEYS[first + i - 1], tostring(new_tat[i]), 'PX', ms)
    end
  end
  if has_nonce then
    redis.call('SET', KEYS[1], '1', 'EX', tonumber(ARGV[3]))
  end
end
return {1, report, report_tokens, report_full, 0, seconds}
