-- wrk script for bench/cart: requests spread over many guest sessions, each adding to
-- its own four SKUs, so carts stay shopper-sized and no line reaches its limit.
-- Arguments: MODE (add or page), the file of session tokens, the file of SKUs.
local tokens, skus, mode = {}, {}, "add"
local counter, step = 0, 1
local SKUS_PER_CART = 4

local function lines(path)
  local out = {}
  for line in io.lines(path) do if line ~= "" then out[#out + 1] = line end end
  return out
end

local thread_id = 0
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  mode = args[1]
  tokens = lines(args[2])
  skus = lines(args[3])
  -- Threads walk interleaved sequences, so no two send the same request.
  counter = id or 0
  step = 2
end

function request()
  counter = counter + step
  local token = tokens[(counter % #tokens) + 1]
  local headers = { ["Cookie"] = "mercato_session=" .. token }
  if mode == "page" then
    headers["Accept"] = "text/html"
    return wrk.format("GET", "/cart", headers)
  end
  -- Each session shops from its own few SKUs, so its cart stays shopper-sized.
  local session = counter % #tokens
  local round = math.floor(counter / #tokens) % SKUS_PER_CART
  local sku = skus[((session * SKUS_PER_CART + round) % #skus) + 1]
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Accept"] = "application/json"
  -- As a browser says of a post from the shop's own page (the shop refuses a post that
  -- carries its session cookie and says nothing of where it comes from).
  headers["Sec-Fetch-Site"] = "same-origin"
  return wrk.format("POST", "/api/cart/add", headers, "sku=" .. sku .. "&quantity=1")
end
