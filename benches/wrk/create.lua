-- wrk script: POST one valid client body per request, each with its own
-- client id, email, Tax_ID and passport number so the sandbox creates
-- every one (201) instead of answering duplicates.
--
--   wrk -c 32 -t 2 -d 10s -s benches/wrk/create.lua http://127.0.0.1:PORT -- BODY_TEMPLATE
--
-- BODY_TEMPLATE is a request body in which benches/wrk/make_template.py
-- replaced those four values with @ID@, @EMAIL@, @TAX@ and @PASSPORT@.
-- The API key comes from MAMBU_API_KEY.

local next_thread = 0

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

local template
local counter = 0

function init(args)
  local path = args[1]
  local f = assert(io.open(path, "r"), "cannot open the body template " .. tostring(path))
  template = f:read("*a"):gsub("%s+$", "")
  f:close()
  wrk.method = "POST"
  wrk.path = "/api/clients"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  local key = os.getenv("MAMBU_API_KEY")
  if key then
    wrk.headers["apikey"] = key
  end
end

function request()
  counter = counter + 1
  -- tid (0-9) in the top digit keeps threads apart; 8 digits of counter.
  local n = (tid % 10) * 100000000 + counter
  local digits = string.format("%09d", n)
  local body = template
    :gsub("@ID@", "WRK" .. digits)
    :gsub("@EMAIL@", "wrk" .. digits .. "@bench.example")
    :gsub("@TAX@", digits:sub(1, 3) .. "-" .. digits:sub(4, 5) .. "-" .. digits:sub(6, 9))
    :gsub("@PASSPORT@", "W" .. string.char(65 + tid % 26) .. digits:sub(3, 9))
  return wrk.format(nil, nil, nil, body)
end
