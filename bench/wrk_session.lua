-- wrk script: every connection is one learner (its own session cookie) opening lesson pages.
-- Reads "cookie<TAB>path[<TAB>etag]" lines from the file named by WRK_TARGETS and cycles
-- through them as fast as the server answers (a closed loop: bench/load.py's throughput
-- runs); a line with an ETag sends it as If-None-Match (a revisit: 304 is a success).
local targets = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("WRK_TARGETS")) do
    local cookie, path, etag = line:match("^([^\t]*)\t([^\t]+)\t?(.*)$")
    if cookie then targets[#targets + 1] = {cookie, path, etag} end
  end
  counter = math.random(1, #targets)
end

function request()
  counter = counter % #targets + 1
  local t = targets[counter]
  local headers = {["Cookie"] = t[1]}
  if t[3] ~= "" then headers["If-None-Match"] = t[3] end
  return wrk.format("GET", t[2], headers)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors_status=%d errors_connect=%d errors_read=%d errors_timeout=%d p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
