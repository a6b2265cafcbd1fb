-- Ends one session, if it belongs to the subject.
-- KEYS[1]: the session's hash; KEYS[2]: the user's set of session ids.
-- ARGV: subject, session id. Returns 1 if a session ended, else 0.
if redis.call('HGET', KEYS[1], 'sub') ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
