-- Runs one Argo CD customization script the way Argo CD's util/lua/lua.go runs a script from
-- argocd-cm, in glua (the same gopher-lua):
--   glua argocd-sandbox.lua NAME SOURCE < OBJECT
-- OBJECT is a Lua table constructor. The script sees the globals `obj` and `actionParams` and
-- only the libraries Argo CD opens for argocd-cm scripts (resource.customizations.useOpenLibs
-- unset): base, package, table and an os with time and date alone; no string, math, io,
-- coroutine or debug, and no string methods. Its last return value is printed as JSON encoded
-- like layeh.com/gopher-json, which Argo CD uses; an error is printed to stderr, exit code 1.
local format, gsub, byte, concat, sort = string.format, string.gsub, string.byte, table.concat, table.sort
local floor, huge = math.floor, math.huge
local stderr, stdout = io.stderr, io.stdout
local strings = string

local function fail(message)
  stderr:write(tostring(message))
  os.exit(1)
end

local name, source = arg[1], arg[2]
if source == nil then fail("usage: glua argocd-sandbox.lua NAME SOURCE < OBJECT") end
local input = io.read("*a")
local object = assert(loadstring("return " .. input, "=object"))()

local chunk, err = loadstring(source, "=" .. name)
if chunk == nil then fail(err) end

local safeOs = { time = os.time, date = os.date }
local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end
local env = {
  _VERSION = _VERSION,
  _GOPHER_LUA_VERSION = _GOPHER_LUA_VERSION,
  table = copy(table),
  os = safeOs,
  package = { preload = {}, loaded = {} },
  obj = object,
  actionParams = {},
  -- package.preload has the safe os; nothing else can be required.
  require = function(name)
    if name == "os" then return safeOs end
    error("module " .. tostring(name) .. " not found", 2)
  end,
}
for _, name in ipairs({
  "assert", "collectgarbage", "dofile", "error", "getfenv", "getmetatable", "load", "loadfile",
  "loadstring", "next", "pcall", "print", "rawequal", "rawget", "rawset", "select", "setfenv",
  "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall", "module", "newproxy",
  "ipairs", "pairs",
}) do
  env[name] = _G[name]
end
env._G = env
setfenv(chunk, env)

-- Without the string library gopher-lua gives strings no metatable, hence no methods.
setmetatable("", nil)
local function pack(...) return { n = select("#", ...), ... } end
local results = pack(pcall(chunk))
setmetatable("", strings)
if not results[1] then fail(results[2]) end
-- Argo CD reads the top of the stack: the last value returned, nil when none.
local result = nil
if results.n > 1 then result = results[results.n] end

-- layeh.com/gopher-json's Encode: an empty table is [], a table is an array when its first key
-- is a number (then keys must run 1..n) and an object when it is a string; a table met twice
-- is an error even when it is not a cycle; functions and userdata are errors.
local visited = {}
local encode
local function encodeString(s)
  return '"' .. gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    if c == "\n" then return "\\n" end
    if c == "\t" then return "\\t" end
    if c == "\r" then return "\\r" end
    return format("\\u%04x", byte(c))
  end) .. '"'
end
encode = function(v)
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v ~= v or v == huge or v == -huge then error("json: unsupported value: " .. tostring(v)) end
    if v == floor(v) and v > -1e15 and v < 1e15 then return format("%d", v) end
    return format("%.17g", v)
  end
  if t == "string" then return encodeString(v) end
  if t ~= "table" then error("cannot encode " .. t .. " to JSON") end
  if visited[v] then error("cannot encode recursively nested tables to JSON") end
  visited[v] = true
  local key, value = next(v)
  if key == nil then return "[]" end
  local parts = {}
  if type(key) == "number" then
    local expected = 1
    while key ~= nil do
      if type(key) ~= "number" then error("cannot encode mixed or invalid key types") end
      if key ~= expected then error("cannot encode sparse array") end
      parts[#parts + 1] = encode(value)
      expected = expected + 1
      key, value = next(v, key)
    end
    return "[" .. concat(parts, ",") .. "]"
  end
  if type(key) == "string" then
    local keys = {}
    while key ~= nil do
      if type(key) ~= "string" then error("cannot encode mixed or invalid key types") end
      keys[#keys + 1] = key
      key = next(v, key)
    end
    sort(keys)
    for _, k in ipairs(keys) do parts[#parts + 1] = encodeString(k) .. ":" .. encode(v[k]) end
    return "{" .. concat(parts, ",") .. "}"
  end
  error("cannot encode mixed or invalid key types")
end

local ok, json = pcall(encode, result)
if not ok then fail(json) end
stdout:write(json)
