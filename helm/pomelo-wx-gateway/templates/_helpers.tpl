{{/*
Expand the name of the chart.
*/}}
{{- define "pomelo-wx-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "pomelo-wx-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "pomelo-wx-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "pomelo-wx-gateway.labels" -}}
helm.sh/chart: {{ include "pomelo-wx-gateway.chart" . }}
{{ include "pomelo-wx-gateway.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels
*/}}
{{- define "pomelo-wx-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pomelo-wx-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "pomelo-wx-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pomelo-wx-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Whether the data plane serves wss:// (a TLS secret is configured).
*/}}
{{- define "pomelo-wx-gateway.tls" -}}
{{- if .Values.tls.secretName }}true{{ end }}
{{- end }}

{{/*
Container port of the data plane: 8443 with TLS, 8080 without (the application's own defaults).
*/}}
{{- define "pomelo-wx-gateway.dataPort" -}}
{{- if include "pomelo-wx-gateway.tls" . }}8443{{ else }}8080{{ end }}
{{- end }}

{{/*
Container port of the control plane (health, Prometheus, admin API).
*/}}
{{- define "pomelo-wx-gateway.managementPort" -}}
9090
{{- end }}

{{/*
Service port of the data plane: service.port, else 443 with TLS and 80 without.
*/}}
{{- define "pomelo-wx-gateway.servicePort" -}}
{{- if .Values.service.port }}{{ .Values.service.port }}{{ else if include "pomelo-wx-gateway.tls" . }}443{{ else }}80{{ end }}
{{- end }}

{{/*
Directory the TLS secret is mounted at.
*/}}
{{- define "pomelo-wx-gateway.ticketKeysDir" -}}
/etc/pomelo-gateway/ticket-keys
{{- end }}

{{- define "pomelo-wx-gateway.tlsDir" -}}
/etc/pomelo-gateway/tls
{{- end }}

{{/*
Name of the ClusterIP Service of the control plane. The suffix is counted in the 63 characters a Service
name may have.
*/}}
{{- define "pomelo-wx-gateway.managementServiceName" -}}
{{- printf "%s-management" (include "pomelo-wx-gateway.fullname" . | trunc 52 | trimSuffix "-") }}
{{- end }}

{{/*
Labels of the helm test pod. Its app.kubernetes.io/name differs from the gateway's, so that neither the
Services nor the PodDisruptionBudget select it: a bare pod in a budget's selector blocks evictions.
*/}}
{{- define "pomelo-wx-gateway.testSelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-test" (include "pomelo-wx-gateway.name" .) | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Image reference: pinned by digest when image.digest is set, else by tag.
*/}}
{{- define "pomelo-wx-gateway.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
An emptyDir volume source, with the size limit when one is given.
*/}}
{{- define "pomelo-wx-gateway.emptyDir" -}}
{{- if . }}{{ dict "sizeLimit" . | toJson }}{{ else }}{}{{ end }}
{{- end }}

{{/*
A list of maps from values (camelCase keys) as the application binds it (kebab-case keys).
*/}}
{{- define "pomelo-wx-gateway.kebabKeys" -}}
{{- $out := dict }}
{{- range $key, $value := . }}
{{- $_ := set $out (kebabcase $key) $value }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/*
Whole seconds, rounded up, of a Spring Boot duration: 10s, 500ms, 2m, PT30S, or a bare number of
milliseconds. Takes (dict "value" V "name" "the.values.key") and fails naming the key when V is not one.
*/}}
{{- define "pomelo-wx-gateway.seconds" -}}
{{- $value := toString .value }}
{{- $simple := regexFindAll "^([0-9]+)(ns|us|ms|s|m|h|d)?$" $value -1 }}
{{- if $simple }}
{{- $number := regexFind "^[0-9]+" $value | float64 }}
{{- $unit := trimPrefix (regexFind "^[0-9]+" $value) $value | default "ms" }}
{{- /* Divide for units below a second and multiply above it: both are exact for whole numbers. */}}
{{- $divisor := get (dict "ns" 1e9 "us" 1e6 "ms" 1e3) $unit }}
{{- if $divisor }}
{{- divf $number $divisor | ceil | int }}
{{- else }}
{{- mulf $number (get (dict "s" 1 "m" 60 "h" 3600 "d" 86400) $unit) | ceil | int }}
{{- end }}
{{- else if regexMatch "^P(([0-9]+)D)?(T(([0-9]+)H)?(([0-9]+)M)?(([0-9]+(\\.[0-9]+)?)S)?)?$" $value }}
{{- $days := regexFind "[0-9]+D" $value | trimSuffix "D" | default "0" | float64 }}
{{- $time := regexFind "T.*$" $value }}
{{- $hours := regexFind "[0-9]+H" $time | trimSuffix "H" | default "0" | float64 }}
{{- $minutes := regexFind "[0-9]+M" $time | trimSuffix "M" | default "0" | float64 }}
{{- $secs := regexFind "[0-9.]+S" $time | trimSuffix "S" | default "0" | float64 }}
{{- addf (mulf $days 86400) (mulf $hours 3600) (mulf $minutes 60) $secs | ceil | int }}
{{- else }}
{{- fail (printf "%s=%s is not a duration: use a number and a unit such as 10s, 500ms or 2m" .name $value) }}
{{- end }}
{{- end }}

{{/*
Bytes of a Kubernetes memory quantity such as 1Gi, 512Mi, 1G or 1073741824. Takes (dict "value" V
"name" "the.values.key") and fails naming the key when V is not one.
*/}}
{{- define "pomelo-wx-gateway.bytes" -}}
{{- $value := toString .value }}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$" $value) }}
{{- fail (printf "%s=%s is not a memory quantity the chart can size the JVM from: use a number with Ki, Mi, Gi, Ti, k, M, G or T" .name $value) }}
{{- end }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $value }}
{{- $unit := trimPrefix $number $value }}
{{- $factor := get (dict "" 1.0 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12) $unit }}
{{- mulf ($number | float64) $factor | floor | int64 }}
{{- end }}

{{/*
Whole CPUs, rounded up, of a Kubernetes CPU quantity such as 500m, 1.5 or 2. Takes (dict "value" V "name"
"the.values.key").
*/}}
{{- define "pomelo-wx-gateway.cpus" -}}
{{- $value := toString .value }}
{{- if regexMatch "^[0-9]+m$" $value }}
{{- divf (trimSuffix "m" $value | float64) 1000 | ceil | int | max 1 }}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?$" $value }}
{{- $value | float64 | ceil | int | max 1 }}
{{- else }}
{{- fail (printf "%s=%s is not a CPU quantity: use millicores such as 500m or cores such as 2" .name $value) }}
{{- end }}
{{- end }}

{{/*
Bytes the JVM sizes its heap and direct memory from: the container's memory limit, else its request;
empty when neither is set.
*/}}
{{- define "pomelo-wx-gateway.memoryBasis" -}}
{{- $resources := .Values.resources | default dict }}
{{- with (get ($resources.limits | default dict) "memory") }}
{{- include "pomelo-wx-gateway.bytes" (dict "value" . "name" "resources.limits.memory") }}
{{- else }}
{{- with (get ($resources.requests | default dict) "memory") }}
{{- include "pomelo-wx-gateway.bytes" (dict "value" . "name" "resources.requests.memory") }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Processors the JVM and the event loops are sized for: the CPU limit, else the CPU request, rounded up;
empty when neither is set. Without it the JVM counts every core of the node.
*/}}
{{- define "pomelo-wx-gateway.processors" -}}
{{- $resources := .Values.resources | default dict }}
{{- with (get ($resources.limits | default dict) "cpu") }}
{{- include "pomelo-wx-gateway.cpus" (dict "value" . "name" "resources.limits.cpu") }}
{{- else }}
{{- with (get ($resources.requests | default dict) "cpu") }}
{{- include "pomelo-wx-gateway.cpus" (dict "value" . "name" "resources.requests.cpu") }}
{{- end }}
{{- end }}
{{- end }}

{{/*
JAVA_TOOL_OPTIONS of the gateway container. It replaces the image's own (container env wins over image
env), and the image's ENTRYPOINT sets no sizing flag of its own, so these are the flags in force.
-XX:MaxRAM pins the basis of the percentages to the pod's memory, limit or request, instead of whatever the
JVM detects; jvm.options comes last, and HotSpot takes the last value of a flag, so it overrides.
*/}}
{{- define "pomelo-wx-gateway.javaToolOptions" -}}
{{- $options := list }}
{{- $basis := include "pomelo-wx-gateway.memoryBasis" . }}
{{- if $basis }}
{{- $options = append $options (printf "-XX:MaxRAM=%s" $basis) }}
{{- end }}
{{- $options = append $options (printf "-XX:MaxRAMPercentage=%v" .Values.jvm.maxRAMPercentage) }}
{{- if $basis }}
{{- $direct := divf (divf (mulf ($basis | float64) .Values.jvm.maxDirectMemoryPercentage) 100) 1048576 | floor | int64 }}
{{- $options = append $options (printf "-XX:MaxDirectMemorySize=%dm" $direct) }}
{{- end }}
{{- with include "pomelo-wx-gateway.processors" . }}
{{- $options = append $options (printf "-XX:ActiveProcessorCount=%s" .) }}
{{- end }}
{{- $options = append $options "-XX:+ExitOnOutOfMemoryError" }}
{{- with .Values.jvm.options }}
{{- $options = append $options . }}
{{- end }}
{{- join " " $options }}
{{- end }}

{{/*
The configuration the gateway runs with, as JSON: chart defaults, then config (free-form keys), then the
keys the chart owns. application.yml is this, and every check reads the effective values from it.
*/}}
{{- define "pomelo-wx-gateway.config" -}}
{{- $gateway := dict }}
{{- $routes := list }}
{{- range .Values.gateway.routes }}
{{- $routes = append $routes (include "pomelo-wx-gateway.kebabKeys" . | fromJson) }}
{{- end }}
{{- if $routes }}
{{- $_ := set $gateway "routes" $routes }}
{{- end }}
{{- $portRoutes := list }}
{{- range .Values.gateway.portRoutes }}
{{- $portRoutes = append $portRoutes (include "pomelo-wx-gateway.kebabKeys" . | fromJson) }}
{{- end }}
{{- if $portRoutes }}
{{- $_ := set $gateway "port-routes" $portRoutes }}
{{- end }}
{{- $relay := include "pomelo-wx-gateway.kebabKeys" (.Values.gateway.relay | default dict) | fromJson }}
{{- /* One event loop per processor the pod is sized for, not per core of the node. */}}
{{- $processors := include "pomelo-wx-gateway.processors" . }}
{{- if and $processors (not (hasKey $relay "event-loops")) }}
{{- $_ := set $relay "event-loops" ($processors | int) }}
{{- end }}
{{- if $relay }}
{{- $_ := set $gateway "relay" $relay }}
{{- end }}
{{- if .Values.gateway.store }}
{{- $_ := set $gateway "store" (include "pomelo-wx-gateway.kebabKeys" .Values.gateway.store | fromJson) }}
{{- end }}
{{- with .Values.discovery.pomelo }}
{{- if .enabled }}
{{- if not .masters }}
{{- fail "discovery.pomelo.enabled is true but discovery.pomelo.masters is empty: list the masters' host:port (the port of the app's master.json)" }}
{{- end }}
{{- if not .existingSecret }}
{{- fail "discovery.pomelo.enabled is true but discovery.pomelo.existingSecret is empty: the master console password is read from that Secret" }}
{{- end }}
{{- $pomelo := dict "enabled" true "masters" .masters "username" .username "poll-interval" .pollInterval }}
{{- with .serverTypes }}{{- $_ := set $pomelo "server-types" . }}{{- end }}
{{- $_ := set $gateway "discovery" (dict "pomelo" $pomelo) }}
{{- end }}
{{- end }}
{{- if include "pomelo-wx-gateway.tls" . }}
{{- $tlsDir := include "pomelo-wx-gateway.tlsDir" . }}
{{- $_ := set $gateway "tls" (dict "certificate" (printf "file:%s/tls.crt" $tlsDir) "private-key" (printf "file:%s/tls.key" $tlsDir)) }}
{{- with .Values.tls.sessionTicketKeys.secretName }}
{{- $_ := set $gateway.tls "session-ticket-keys" (printf "%s/%s" (include "pomelo-wx-gateway.ticketKeysDir" $) $.Values.tls.sessionTicketKeys.key) }}
{{- end }}
{{- end }}
{{- $generated := dict
      "pomelo" (dict "gateway" $gateway)
      "server" (dict "port" (include "pomelo-wx-gateway.dataPort" . | int))
      "management" (dict "server" (dict "port" (include "pomelo-wx-gateway.managementPort" . | int))) }}
{{- /* Defaults the operator may change through .Values.config; the chart's own keys always win. */}}
{{- $defaults := dict "pomelo" (dict "gateway" (dict "store" (dict "file" "/var/lib/pomelo-gateway/routes.json"))) }}
{{- toJson (mustMergeOverwrite $defaults (deepCopy (.Values.config | default dict)) $generated) }}
{{- end }}

{{/*
The application.yml the gateway reads from /config: everything but the routes. Read once at start-up,
so its checksum is on the pod template and a change rolls the pods.
*/}}
{{- define "pomelo-wx-gateway.applicationYaml" -}}
{{- $config := include "pomelo-wx-gateway.config" . | fromJson }}
{{- $_ := unset $config.pomelo.gateway "routes" }}
{{- $_ := unset $config.pomelo.gateway "port-routes" }}
{{- toYaml $config }}
{{- end }}

{{/*
The application.yml the gateway reads from /config-routes: pomelo.gateway.routes and port-routes only,
wherever in the values they were set. The gateway watches it and reloads the routes in place, so it
is left out of checksum/config: a route change reaches every pod without a restart.
*/}}
{{- define "pomelo-wx-gateway.routesYaml" -}}
{{- $config := include "pomelo-wx-gateway.config" . | fromJson }}
{{- $gateway := dict }}
{{- with $config.pomelo.gateway.routes }}
{{- $_ := set $gateway "routes" . }}
{{- end }}
{{- with (get $config.pomelo.gateway "port-routes") }}
{{- $_ := set $gateway "port-routes" . }}
{{- end }}
{{- toYaml (dict "pomelo" (dict "gateway" $gateway)) }}
{{- end }}

{{/*
Route store type in effect: 'file' unless gateway.store.type or config set another.
*/}}
{{- define "pomelo-wx-gateway.storeType" -}}
{{- $config := include "pomelo-wx-gateway.config" . | fromJson }}
{{- dig "pomelo" "gateway" "store" "type" "file" $config }}
{{- end }}

{{/*
Whether the admin API is on (it is off without users), so that dynamic routes can be written.
*/}}
{{- define "pomelo-wx-gateway.adminEnabled" -}}
{{- $config := include "pomelo-wx-gateway.config" . | fromJson }}
{{- if or .Values.admin.users (dig "pomelo" "gateway" "admin" "users" (list) $config) }}true{{ end }}
{{- end }}

{{/*
Fewest and most pods the release runs: the HPA's bounds when autoscaling, else replicaCount.
*/}}
{{- define "pomelo-wx-gateway.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}
{{- define "pomelo-wx-gateway.maxReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.maxReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/*
Close grace of the relay: after close 1001 it waits this long for sessions to end. Fixed in the
application (RelayConfiguration), so the chart can only count it.
*/}}
{{- define "pomelo-wx-gateway.closeGraceSeconds" -}}
5
{{- end }}

{{/*
Seconds the shutdown needs, as "total|drain|shutdownPhase": the preStop pause, the drain period, the
close grace and Spring's shutdown phase, in that order, read from the effective configuration.
*/}}
{{- define "pomelo-wx-gateway.shutdownNeeds" -}}
{{- $config := include "pomelo-wx-gateway.config" . | fromJson }}
{{- /* GatewayProperties' default when neither gateway.relay.drainPeriod nor config sets one. */}}
{{- $drainValue := dig "pomelo" "gateway" "relay" "drain-period" "10s" $config }}
{{- $drain := include "pomelo-wx-gateway.seconds" (dict "value" $drainValue "name" "gateway.relay.drainPeriod") | int }}
{{- $lifecycle := dig "spring" "lifecycle" (dict) $config }}
{{- /* Spring Boot's default; relaxed binding also accepts the camelCase key. */}}
{{- $phaseValue := get $lifecycle "timeout-per-shutdown-phase" | default (get $lifecycle "timeoutPerShutdownPhase") | default "30s" }}
{{- $phase := include "pomelo-wx-gateway.seconds" (dict "value" $phaseValue "name" "config.spring.lifecycle.timeout-per-shutdown-phase") | int }}
{{- $total := add (.Values.preStop.sleepSeconds | int) $drain (include "pomelo-wx-gateway.closeGraceSeconds" . | int) $phase }}
{{- printf "%d|%d|%d" $total $drain $phase }}
{{- end }}

{{/*
terminationGracePeriodSeconds of the pods: the value when set (checked against what the shutdown needs),
else what the shutdown needs plus 5 s for the JVM to exit.
*/}}
{{- define "pomelo-wx-gateway.terminationGracePeriodSeconds" -}}
{{- $needs := split "|" (include "pomelo-wx-gateway.shutdownNeeds" .) }}
{{- $total := $needs._0 | int }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $total 5 }}
{{- else }}
{{- $grace := .Values.terminationGracePeriodSeconds | int }}
{{- if lt $grace $total }}
{{- fail (printf "terminationGracePeriodSeconds=%d is shorter than the shutdown needs: preStop.sleepSeconds (%d) + gateway.relay.drainPeriod (%d s) + the relay's close grace (%s s) + config.spring.lifecycle.timeout-per-shutdown-phase (%d s) = %d s. Raise it to at least %d, lower those, or leave it null to have it computed" $grace (.Values.preStop.sleepSeconds | int) ($needs._1 | int) (include "pomelo-wx-gateway.closeGraceSeconds" .) ($needs._2 | int) $total $total) }}
{{- end }}
{{- $grace }}
{{- end }}
{{- end }}

{{/*
Combinations of values that the schema cannot reject one key at a time. Each fails the render with a
message naming the values, before anything reaches the cluster.
*/}}
{{- define "pomelo-wx-gateway.validate" -}}
{{- $maxReplicas := include "pomelo-wx-gateway.maxReplicas" . | int }}
{{- $minReplicas := include "pomelo-wx-gateway.minReplicas" . | int }}
{{- $replicasKey := ternary "autoscaling.maxReplicas" "replicaCount" .Values.autoscaling.enabled }}
{{- if and (gt $maxReplicas 1) (eq (include "pomelo-wx-gateway.storeType" .) "file") (include "pomelo-wx-gateway.adminEnabled" .) }}
{{- fail (printf "%s=%d with the file route store and admin users: every pod would keep its own admin routes, and a route written through one pod would be missing on the others. Set gateway.store.type=redis (README: Sharing routes between replicas), or %s=1" $replicasKey $maxReplicas $replicasKey) }}
{{- end }}
{{- if .Values.autoscaling.enabled }}
{{- if gt (.Values.autoscaling.minReplicas | int) (.Values.autoscaling.maxReplicas | int) }}
{{- fail (printf "autoscaling.minReplicas=%d is above autoscaling.maxReplicas=%d" (.Values.autoscaling.minReplicas | int) (.Values.autoscaling.maxReplicas | int)) }}
{{- end }}
{{- if not (or .Values.autoscaling.targetConnectionsPerPod .Values.autoscaling.targetCPUUtilizationPercentage) }}
{{- fail "autoscaling.enabled=true needs autoscaling.targetConnectionsPerPod or autoscaling.targetCPUUtilizationPercentage" }}
{{- end }}
{{- if and .Values.autoscaling.targetCPUUtilizationPercentage (not (dig "requests" "cpu" "" (.Values.resources | default dict))) }}
{{- fail "autoscaling.targetCPUUtilizationPercentage is a share of the CPU request, and resources.requests.cpu is not set" }}
{{- end }}
{{- end }}
{{- with .Values.podDisruptionBudget }}
{{- if and (not (kindIs "invalid" .minAvailable)) (not (kindIs "invalid" .maxUnavailable)) }}
{{- fail (printf "podDisruptionBudget.minAvailable=%v and podDisruptionBudget.maxUnavailable=%v: a budget takes one of them; set the other to null" .minAvailable .maxUnavailable) }}
{{- end }}
{{- if and .enabled (not (kindIs "invalid" .minAvailable)) (not (kindIs "string" .minAvailable)) (gt $minReplicas 1) (ge (.minAvailable | int) $minReplicas) }}
{{- fail (printf "podDisruptionBudget.minAvailable=%d with %d pods: no pod could ever be evicted, so node drains would hang. Use a smaller minAvailable or maxUnavailable: 1" (.minAvailable | int) $minReplicas) }}
{{- end }}
{{- end }}
{{- range .Values.env }}
{{- if eq .name "JAVA_TOOL_OPTIONS" }}
{{- fail "env sets JAVA_TOOL_OPTIONS, which would replace the chart's JVM sizing: put extra flags in jvm.options instead" }}
{{- end }}
{{- end }}
{{- if gt (addf .Values.jvm.maxRAMPercentage .Values.jvm.maxDirectMemoryPercentage) 80.0 }}
{{- fail (printf "jvm.maxRAMPercentage=%v plus jvm.maxDirectMemoryPercentage=%v is above 80: metaspace, code cache, thread stacks and BoringSSL's per-connection state need the rest, or the pod is OOMKilled" .Values.jvm.maxRAMPercentage .Values.jvm.maxDirectMemoryPercentage) }}
{{- end }}
{{- if and .Values.admin.users (not .Values.admin.existingSecret) }}
{{- fail "admin.users is set but admin.existingSecret is empty: the users' BCrypt hashes are read from that Secret" }}
{{- end }}
{{- $config := include "pomelo-wx-gateway.config" . | fromJson }}
{{- if and .Values.admin.users (dig "pomelo" "gateway" "admin" "users" (list) $config) }}
{{- fail "admin.users and config.pomelo.gateway.admin.users are both set: the first, passed as environment variables, would silently replace the second. Keep one" }}
{{- end }}
{{- $service := .Values.service }}
{{- range $key := list "externalTrafficPolicy" "nodePort" "loadBalancerClass" "loadBalancerSourceRanges" "allocateLoadBalancerNodePorts" }}
{{- $value := get $service $key }}
{{- /* false is a setting of its own (allocateLoadBalancerNodePorts); null, "" and [] are not. */}}
{{- if or (kindIs "bool" $value) (not (empty $value)) }}
{{- if and (eq $service.type "ClusterIP") (has $key (list "externalTrafficPolicy" "nodePort")) }}
{{- fail (printf "service.%s is set but service.type=ClusterIP: it applies to NodePort and LoadBalancer only" $key) }}
{{- end }}
{{- if and (ne $service.type "LoadBalancer") (hasPrefix "loadBalancer" $key | or (eq $key "allocateLoadBalancerNodePorts")) }}
{{- fail (printf "service.%s is set but service.type=%s: it applies to LoadBalancer only" $key $service.type) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
TCP ports the gateway connects to backends on, as a JSON list of NetworkPolicy ports: those of the static
routes' targets, the port routes' allow-lists and, with the admin API on, the target policy's allow-ports,
since dynamic routes may use any of them.
*/}}
{{- define "pomelo-wx-gateway.backendPorts" -}}
{{- $ranges := list }}
{{- range .Values.gateway.routes }}
{{- range .targets }}
{{- $url := urlParse . }}
{{- $port := regexFind "[0-9]+$" (regexFind ":[0-9]+$" $url.host) | default (ternary "443" "80" (eq $url.scheme "wss")) }}
{{- $ranges = append $ranges $port }}
{{- end }}
{{- end }}
{{- range .Values.gateway.portRoutes }}
{{- range .ports }}
{{- $ranges = append $ranges (toString .) }}
{{- end }}
{{- end }}
{{- /* Admin and discovered routes may name any port the target policy allows. */}}
{{- if or (include "pomelo-wx-gateway.adminEnabled" .) .Values.discovery.pomelo.enabled }}
{{- $config := include "pomelo-wx-gateway.config" . | fromJson }}
{{- range (dig "pomelo" "gateway" "targets" "allow-ports" (list "1-65535") $config) }}
{{- $ranges = append $ranges (toString .) }}
{{- end }}
{{- end }}
{{- $ports := list }}
{{- range ($ranges | uniq) }}
{{- $bounds := split "-" . }}
{{- $port := dict "protocol" "TCP" "port" ($bounds._0 | int) }}
{{- if and $bounds._1 (ne $bounds._0 $bounds._1) }}
{{- $_ := set $port "endPort" ($bounds._1 | int) }}
{{- end }}
{{- $ports = append $ports $port }}
{{- end }}
{{- toJson $ports }}
{{- end }}
