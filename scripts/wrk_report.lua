-- wrk script: POST /api/v1/reports, each report its own title and reporter (scripts/bench.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"project":"infra","title":"Report %d","description":"Found while testing %d.","reporter_email":"r%d@elsewhere.example","reporter_name":"Reporter"}', counter, counter, counter)
  return wrk.format(nil, "/api/v1/reports", nil, body)
end
