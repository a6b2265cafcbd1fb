-- Records a new session.
-- KEYS[1]: the session's hash; KEYS[2]: the user's set of session ids.
-- ARGV: session id, subject, refresh token id, created at (also "now"), expires at,
--       deadline ('' for none), per-user limit, key prefix of session hashes.
local session, user = KEYS[1], KEYS[2]
local session_id, subject, token_id = ARGV[1], ARGV[2], ARGV[3]
local created, expires, deadline = ARGV[4], ARGV[5], ARGV[6]
local limit, session_prefix = tonumber(ARGV[7]), ARGV[8]
local ends = end_of(expires, deadline)

tidy_user(user, created)
-- One account may hold at most `limit` sessions: beyond that its oldest login ends, so a
-- script logging in again and again cannot fill the store.
while redis.call('ZCARD', user) >= limit do
  local oldest, oldest_created = nil, nil
  for _, member in ipairs(redis.call('ZRANGE', user, 0, -1)) do
    local member_created = redis.call('HGET', session_prefix .. member, 'created')
    if not member_created then
      redis.call('ZREM', user, member)
    elseif oldest == nil or earlier(member_created, oldest_created) then
      oldest, oldest_created = member, member_created
    end
  end
  if oldest then
    redis.call('DEL', session_prefix .. oldest)
    redis.call('ZREM', user, oldest)
  end
end

redis.call('DEL', session)
redis.call('HSET', session, 'sub', subject, 'cur', token_id, 'prev', '', 'retired', '',
  'created', created, 'expires', expires, 'deadline', deadline)
expire_at(session, ends, created)
redis.call('ZADD', user, integer(millis(ends)), session_id)
tidy_user(user, created)
return 1
