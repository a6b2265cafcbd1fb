-- Claims a key once, until an instant (a Django refresh token's exchange). A claim that still
-- lasts by the application's clock refuses the new one; a lapsed one is replaced. One key per
-- call, so it works on Redis Cluster.
-- KEYS[1]: the claim's key.
-- ARGV: now, until (until is after now: the caller checked).
-- Returns 1 when claimed, 0 when an earlier claim lasts.
local claim = KEYS[1]
local now, ends = ARGV[1], ARGV[2]

local lasts = redis.call('GET', claim)
if lasts and earlier(now, lasts) then
  return 0
end
redis.call('SET', claim, ends)
expire_at(claim, ends, now)
return 1
