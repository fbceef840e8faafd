-- One wrk script for every endpoint of Benchmarks/loadtest.sh (and SystemTests/fleet.sh, SystemTests/shutdown-under-load.sh).
-- $BODY_FILE set: POST that file as JSON; unset: GET. Prints one summary line, prefixed "RESULT ",
-- holding, in this order: requests/s, p50, p99 and max latency (ms), requests, socket errors
-- (connect + read + write + timeout), non-2xx/3xx answers (wrk's "status" errors), then read
-- errors and timeouts alone (a response cut off shows up there).
local body_file = os.getenv("BODY_FILE")
if body_file and body_file ~= "" then
   local f = assert(io.open(body_file, "rb"))
   wrk.method = "POST"
   wrk.body = f:read("*a")
   f:close()
   wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
   local e = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "RESULT %.0f %.2f %.2f %.2f %d %d %d %d %d\n",
      summary.requests / seconds, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
      latency.max / 1e3, summary.requests, e.connect + e.read + e.write + e.timeout, e.status, e.read, e.timeout))
end
