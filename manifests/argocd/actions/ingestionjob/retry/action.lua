-- Re-drive the job's failed documents: the operator acts on a retryNonce it has not acted on yet.
-- The nonce is the time of the request, like kubectl rollout restart's restartedAt; a second
-- request within the same second still gets a new value.
local os = require("os")
local nonce = os.date("!%Y-%m-%dT%XZ")
if obj.spec.retryNonce == nonce then
  nonce = nonce .. "+1"
end
obj.spec.retryNonce = nonce
return obj
