-- wrk script: POST a small valid client (names, email, birth date, one
-- address) per request, each with its own id and email, so the sandbox
-- creates every one (201). The figure the sandbox's throughput is quoted with:
--
--   MAMBU_API_KEY=k ferry sandbox --state /tmp/sbx.db --bind 127.0.0.1:18181 &
--   MAMBU_API_KEY=k wrk -t2 -c64 -d10s -s benches/wrk/simple.lua http://127.0.0.1:18181
--
-- The API key comes from MAMBU_API_KEY.

local counter = 0
function setup(thread) thread:set("tid", tostring(math.random(100000))) end
function init(args)
  wrk.method = "POST"; wrk.path = "/api/clients"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["apikey"] = os.getenv("MAMBU_API_KEY")
end
function request()
  counter = counter + 1
  local body = string.format('{"client":{"id":"W%s-%d","firstName":"Ada","lastName":"Byron","emailAddress":"ada%s-%d@example.com","birthDate":"1980-02-03"},"addresses":[{"line1":"1 Main St","city":"Porto","country":"Portugal"}]}', tid, counter, tid, counter)
  return wrk.format(nil, nil, nil, body)
end
