-- decide.lua — bench/portfolio.strat's scores and decide table in Lua, for
-- the benchmark's LuaJIT runner:   luajit decide.lua services.csv
-- Reads the CSV line by line; formulas in the order written in the .strat
-- file (Lua numbers are doubles).
local path = assert(arg[1], "usage: luajit decide.lua services.csv")
local f = assert(io.open(path, "r"))
local tonumber, find, sub = tonumber, string.find, string.sub
local count = { invest = 0, enhance = 0, migrate = 0, retire = 0, experiment = 0, tolerate = 0 }
f:read("*l") -- header
for line in f:lines() do
  -- id,title,customers,status,cost,csat,incidents,functional_fit,technical_fit,
  -- business_value,time_criticality,risk_reduction,job_size
  local a = find(line, ",", 1, true)
  local b = find(line, ",", a + 1, true)
  local c = find(line, ",", b + 1, true)
  local s, e = c + 1, find(line, ",", c + 1, true)
  local status = sub(line, s, e - 1)
  local v = {}
  for k = 1, 9 do
    s = e + 1
    e = find(line, ",", s, true)
    if not e then e = #line + 1 end
    v[k] = tonumber(sub(line, s, e - 1))
  end
  local cost, csat, incidents, ff, tf, bv, tc, rr, js =
    v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]
  local value = 0.5 * csat / 5 + 0.5 * (ff - 1) / 3
  local health = 1 - incidents / 100
  if health < 0 then health = 0 end
  if health > 1 then health = 1 end
  local fit = (tf - 1) / 3
  local wsjf = (bv + tc + rr) / js
  local d
  if status == "pipeline" then d = "experiment"
  elseif status == "retired" then d = "retire"
  elseif value >= 0.7 and health >= 0.6 and fit >= 0.5 then d = "invest"
  elseif value >= 0.7 then d = "enhance"
  elseif value >= 0.4 and fit < 0.4 then d = "migrate"
  elseif value < 0.25 and cost > 500000 then d = "retire"
  else d = "tolerate" end
  count[d] = count[d] + 1
end
f:close()
for _, name in ipairs({ "invest", "enhance", "migrate", "retire", "experiment", "tolerate" }) do
  io.write(string.format("%-10s %d\n", name, count[name]))
end
