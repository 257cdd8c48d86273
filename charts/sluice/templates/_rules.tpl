{{/* The operator's rights: manifests/rbac/cluster-role.yaml's rules, which the chart test keeps equal. */}}
{{- define "sluice.operatorRules" -}}
  # The resources it reconciles: watched through informers, status written through /status.
  - apiGroups: ["sluice.dev"]
    resources: ["ingestionclusters"]
    verbs: ["list", "watch"]
  - apiGroups: ["sluice.dev"]
    resources: ["ingestionclusters/status"]
    verbs: ["patch"]
  # IngestionJobs: read through an informer; the finalizer sluice.dev/job-cleanup is added and
  # removed with a JSON patch (guarded by resourceVersion), status replaced by a JSON patch.
  - apiGroups: ["sluice.dev"]
    resources: ["ingestionjobs"]
    verbs: ["list", "watch", "patch"]
  - apiGroups: ["sluice.dev"]
    resources: ["ingestionjobs/status"]
    verbs: ["patch"]
  # A job's manifest ConfigMap, read by name (never listed or watched).
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get"]
  # Children of an IngestionCluster: watched (label-selected) and server-side applied. Those a
  # spec can stop wanting (Managed Redis's, when redis.mode becomes External) are also deleted,
  # and only when the cluster controls them (cluster-reconciler.ts).
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["list", "watch", "create", "patch"]
  - apiGroups: [""]
    resources: ["services", "serviceaccounts"]
    verbs: ["list", "watch", "create", "patch", "delete"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["list", "watch", "create", "patch"]
  - apiGroups: ["apps"]
    resources: ["statefulsets"]
    verbs: ["list", "watch", "create", "patch", "delete"]
  - apiGroups: ["policy"]
    resources: ["poddisruptionbudgets"]
    verbs: ["list", "watch", "create", "patch"]
  - apiGroups: ["networking.k8s.io"]
    resources: ["networkpolicies", "ingresses"]
    verbs: ["list", "watch", "create", "patch", "delete"]
  # spec.api.httpRoute's HTTPRoute, deleted when the field is removed. Watched whether or not the
  # Gateway API is installed (the operator waits for the kind).
  - apiGroups: ["gateway.networking.k8s.io"]
    resources: ["httproutes"]
    verbs: ["list", "watch", "create", "patch", "delete"]
  # KEDA mode's ScaledObject and TriggerAuthentication: children like the above, deleted when
  # the mode changes. Watched whether or not KEDA is installed (the operator waits for the kinds).
  - apiGroups: ["keda.sh"]
    resources: ["scaledobjects", "triggerauthentications"]
    verbs: ["list", "watch", "create", "patch", "delete"]
  # Secrets: no list or watch, which would expose every Secret in the cluster. It reads by name
  # the Secrets a cluster references (to report a missing one), a cluster's operator key and a
  # job's object-store credentials (to send to the cluster's API), and creates the generated
  # Redis password and operator key Secrets; it never reads Secret values it does not need.
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "create", "patch"]
  - apiGroups: [""]
    resources: ["events"]
    verbs: ["create"]
  # The Builtin autoscaler lists a cluster's worker pods and sets their pod-deletion-cost before it
  # lowers replicas, so the ReplicaSet controller removes idle workers, not busy ones. No watch:
  # pods are read only then.
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["list", "patch"]
{{- end }}
