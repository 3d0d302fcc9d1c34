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
