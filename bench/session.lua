-- A visitor with the shop's cookies, given as the script's argument (wrk ... -- COOKIE):
-- a real guest session alone gets the kept page with their own parts; with any other of
-- the shop's cookies beside it the page is rendered whole for them.
local cookie = ""

function init(args)
  cookie = args[1] or ""
end

function request()
  return wrk.format("GET", nil, { ["Cookie"] = cookie })
end
