-- Argo CD health of a sluice.dev IngestionJob, from its conditions (like batch/v1 Job).
local function condition(t)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == t then return c end
    end
  end
  return nil
end

local hs = {}
if obj.status == nil or obj.status.observedGeneration == nil or obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end
local failed = condition("Failed")
local complete = condition("Complete")
local suspended = condition("Suspended")
local progress = ""
if obj.status.progress ~= nil then progress = " (" .. obj.status.progress .. ")" end
if failed ~= nil and failed.status == "True" then
  hs.status = "Degraded"
  hs.message = failed.message
elseif complete ~= nil and complete.status == "True" then
  hs.status = "Healthy"
  hs.message = complete.message
elseif suspended ~= nil and suspended.status == "True" then
  hs.status = "Suspended"
  hs.message = "Suspended" .. progress
else
  hs.status = "Progressing"
  hs.message = "Running" .. progress
end
return hs
