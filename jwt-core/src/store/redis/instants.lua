-- Shared by every script of the Redis session store.
--
-- Instants travel as Unix time in nanoseconds, written with exactly 20 digits: exact where a
-- Lua number (a double) is not, and compared as two 10-digit halves. Every time decision uses
-- the instants the application passes in (its clock), never Redis's own TIME.

local function halves(t)
  return tonumber(string.sub(t, 1, 10)), tonumber(string.sub(t, 11, 20))
end

local function earlier(a, b)
  local ah, al = halves(a)
  local bh, bl = halves(b)
  return ah < bh or (ah == bh and al < bl)
end

local function millis(t)
  local high, low = halves(t)
  return high * 10000 + math.floor(low / 1000000)
end

-- Lua turns large numbers into strings in exponent notation; Redis wants plain integers.
local function integer(n)
  return string.format('%.0f', n)
end

-- Keys live in real time: as many milliseconds as the application's clock says remain.
local function expire_at(key, ends, now)
  redis.call('PEXPIRE', key, integer(math.max(1, millis(ends) - millis(now))))
end

-- When a session ends: at its expiry, or at its deadline if that comes first.
local function end_of(expires, deadline)
  if deadline ~= '' and earlier(deadline, expires) then
    return deadline
  end
  return expires
end

-- A user's set holds session ids scored by their end (milliseconds). Members that ended
-- are dropped, and the set itself expires with its last member, so it cannot grow without
-- bound and needs no clean-up job.
local function tidy_user(user, now)
  local now_ms = millis(now)
  redis.call('ZREMRANGEBYSCORE', user, '-inf', '(' .. integer(now_ms))
  local last = redis.call('ZRANGE', user, -1, -1, 'WITHSCORES')
  if #last == 2 then
    redis.call('PEXPIRE', user, integer(math.max(1, tonumber(last[2]) - now_ms)))
  end
end
