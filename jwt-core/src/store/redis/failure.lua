-- Counts one failed login under one counter (the login throttle). A window starts with the
-- first failure; once it ends, counting starts again from zero. The key expires with its
-- window, so counters need no clean-up. One key per call, so it works on Redis Cluster.
-- KEYS[1]: the counter's hash.
-- ARGV: now, the end of a window that would start now.
-- Returns {count, window end}.
local counter = KEYS[1]
local now, new_end = ARGV[1], ARGV[2]

local fields = redis.call('HMGET', counter, 'count', 'ends')
local count, ends = tonumber(fields[1]), fields[2]
if not count or not ends or not earlier(now, ends) then
  count, ends = 0, new_end
end
count = count + 1
redis.call('HSET', counter, 'count', count, 'ends', ends)
expire_at(counter, ends, now)
return {count, ends}
