-- Argo CD resource actions of a sluice.dev IngestionJob, and when each is offered.
local function isTrue(t)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == t then return c.status == "True" end
    end
  end
  return false
end

local suspended = obj.spec ~= nil and obj.spec.suspend == true
local failedDocuments = 0
if obj.status ~= nil and obj.status.counts ~= nil and obj.status.counts.failed ~= nil then
  failedDocuments = obj.status.counts.failed
end

local actions = {}
-- A complete job has nothing left to suspend.
actions["suspend"] = { iconClass = "fa fa-fw fa-pause", disabled = suspended or isTrue("Complete") }
actions["resume"] = { iconClass = "fa fa-fw fa-play", disabled = not suspended }
-- Retry re-drives failed documents (spec.retryNonce), so it needs some, or a failed job.
actions["retry"] = { iconClass = "fa fa-fw fa-redo", displayName = "Retry failed documents", disabled = not (failedDocuments > 0 or isTrue("Failed")) }
return actions
