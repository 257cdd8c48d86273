-- Argo CD health of a sluice.dev IngestionJob, from the conditions its controller writes (like
-- batch/v1 Job): Failed, Complete and Suspended decide, and so does Accepted=False (the spec the
-- cluster runs is not the one in Git until someone fixes it); FailureTarget, SuccessCriteriaMet
-- and ClusterReady only explain a job that is still in progress. Argo CD runs argocd-cm scripts
-- without the string and math libraries, so this uses nothing but the base language.
local function condition(t)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == t then return c end
    end
  end
  return nil
end

local function isTrue(t)
  local c = condition(t)
  return c ~= nil and c.status == "True"
end

local function messageOf(t, default)
  local c = condition(t)
  if c ~= nil and c.message ~= nil and c.message ~= "" then return c.message end
  return default
end

local hs = {}
local generation = obj.metadata.generation or 0
if obj.status == nil or obj.status.observedGeneration == nil or obj.status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end

local progress = ""
if obj.status.progress ~= nil then progress = " (" .. obj.status.progress .. ")" end

local accepted = condition("Accepted")
if isTrue("Failed") then
  hs.status = "Degraded"
  hs.message = messageOf("Failed", "Failed" .. progress)
elseif accepted ~= nil and accepted.status == "False" then
  -- A reference that cannot be read, or a spec the cluster's API refuses (e.g. embedding
  -- dimensions that do not match the cluster's).
  hs.status = "Degraded"
  hs.message = messageOf("Accepted", "The cluster did not accept the job")
elseif isTrue("Complete") then
  hs.status = "Healthy"
  hs.message = messageOf("Complete", "Complete" .. progress)
elseif isTrue("Suspended") then
  hs.status = "Suspended"
  hs.message = "Suspended" .. progress
else
  -- Still running. A job that must fail (FailureTarget) or has met its success criteria turns
  -- Failed or Complete once its in-flight documents finish; until then it is in progress, as
  -- Argo CD judges a batch/v1 Job. A job whose cluster is not ready waits rather than fails:
  -- the cluster's own health says why, and a Degraded job would fail every multi-step sync
  -- that creates a cluster and its jobs together while the cluster starts.
  hs.status = "Progressing"
  local phase = obj.status.phase or "Running"
  local clusterReady = condition("ClusterReady")
  if isTrue("FailureTarget") then
    hs.message = "Failing" .. progress .. ": " .. messageOf("FailureTarget", "waiting for in-flight documents")
  elseif isTrue("SuccessCriteriaMet") then
    hs.message = "Completing" .. progress .. ": " .. messageOf("SuccessCriteriaMet", "waiting for in-flight documents")
  elseif clusterReady ~= nil and clusterReady.status == "False" then
    local cluster = "the cluster"
    if obj.spec ~= nil and obj.spec.clusterRef ~= nil and obj.spec.clusterRef.name ~= nil then
      cluster = "IngestionCluster " .. obj.spec.clusterRef.name
    end
    hs.message = "Waiting for " .. cluster .. progress .. ": " .. messageOf("ClusterReady", "not ready")
  else
    hs.message = phase .. progress
  end
end
return hs
