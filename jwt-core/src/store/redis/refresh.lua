-- Checks a refresh token against its session and rotates it: compare-and-swap on the
-- current token id, so of two processes racing with one token only one rotates.
-- KEYS[1]: the session's hash; KEYS[2]: the user's set of session ids.
-- ARGV: subject, presented token id, now, now minus the grace period, replacement token id
--       ('' when not rotating), replacement's expiry, session id.
-- Returns {'invalid'}, {'current', expires}, {'rotated', expires}, {'grace', current, expires}
-- or {'reused'}.
local session, user = KEYS[1], KEYS[2]
local subject, token_id, now, grace_start = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local next_id, next_expires, session_id = ARGV[5], ARGV[6], ARGV[7]

local fields = redis.call('HMGET', session, 'sub', 'cur', 'prev', 'retired', 'expires', 'deadline')
local owner, current, previous, retired = fields[1], fields[2], fields[3], fields[4]
local expires, deadline = fields[5], fields[6]
if not owner or owner ~= subject or not expires or not deadline then
  return {'invalid'}
end
if not earlier(now, end_of(expires, deadline)) then
  return {'invalid'}
end

if current == token_id then
  if next_id == '' then
    return {'current', expires}
  end
  local ends = end_of(next_expires, deadline)
  redis.call('HSET', session, 'cur', next_id, 'prev', token_id, 'retired', now, 'expires', ends)
  expire_at(session, ends, now)
  redis.call('ZADD', user, integer(millis(ends)), session_id)
  tidy_user(user, now)
  return {'rotated', ends}
end

-- Just retired: the answer that carried its replacement may have been lost, so the client
-- gets the current token again (nothing rotates).
if previous ~= '' and previous == token_id and earlier(grace_start, retired) then
  return {'grace', current, expires}
end

-- A token this session once had that is neither current nor just retired can only be an
-- older one coming back: the session is compromised and ends here.
redis.call('DEL', session)
redis.call('ZREM', user, session_id)
return {'reused'}
