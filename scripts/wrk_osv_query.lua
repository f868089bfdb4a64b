-- wrk: OSV queries (POST /v1/query) for the packages of bench_public.py, at VERSION
-- (replaced by the script before use).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"package":{"purl":"pkg:pypi/package-%d"},"version":"VERSION"}', counter % 200)
  return wrk.format(nil, "/v1/query", nil, body)
end
