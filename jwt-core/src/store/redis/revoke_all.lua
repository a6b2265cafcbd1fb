-- Ends every session of a user (logout everywhere).
-- KEYS[1]: the user's set of session ids. ARGV: subject, key prefix of session hashes.
-- Returns how many sessions ended.
local ended = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local session = ARGV[2] .. member
  if redis.call('HGET', session, 'sub') == ARGV[1] then
    ended = ended + redis.call('DEL', session)
  end
end
redis.call('DEL', KEYS[1])
return ended
