-- Visitors with the shop's cookies: wrk ... -- TOKENS-FILE [MORE-COOKIES]. Each request
-- goes as the next guest session of the file (as many shoppers browse at once, not one
-- hammering the same rows); a real session alone gets the kept page with their own
-- parts, and with another of the shop's cookies beside it (MORE-COOKIES) the page is
-- rendered whole for them.
local cookies = {}
local counter = 0

local thread_id = 0
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  local more = args[2] and ("; " .. args[2]) or ""
  for line in io.lines(args[1]) do
    if line ~= "" then cookies[#cookies + 1] = "mercato_session=" .. line .. more end
  end
  counter = id or 0
end

function request()
  counter = counter + 2
  return wrk.format("GET", nil, { ["Cookie"] = cookies[counter % #cookies + 1] })
end
