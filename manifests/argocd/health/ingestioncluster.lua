-- Argo CD health of a sluice.dev IngestionCluster, from its conditions.
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
local suspended = condition("Suspended")
local degraded = condition("Degraded")
local ready = condition("Ready")
if suspended ~= nil and suspended.status == "True" then
  hs.status = "Suspended"
  hs.message = suspended.message
elseif degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = degraded.message
elseif ready ~= nil and ready.status == "True" then
  -- Ready means it can serve; a scale or rollout under way is said, not held against it.
  hs.status = "Healthy"
  hs.message = ready.message
  local scaling = condition("Scaling")
  if scaling ~= nil and scaling.status == "True" then hs.message = hs.message .. " " .. scaling.reason .. ": " .. scaling.message end
else
  hs.status = "Progressing"
  hs.message = (ready ~= nil and ready.message) or "Waiting for the components to become ready"
end
return hs
