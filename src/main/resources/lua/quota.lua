-- docs/rate-limits.md: a product's validations per UTC day, counted across every instance.
-- KEYS[1]: the product's counter for the day. ARGV[1]: the daily limit.
-- ARGV[2]: seconds the counter outlives its day. Returns {count after, 1 if within the limit}.
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
if count > tonumber(ARGV[1]) then
  return {count, 0}
end
return {count, 1}
