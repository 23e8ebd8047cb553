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
{{- define "pomelo-wx-gateway.tlsDir" -}}
/etc/pomelo-gateway/tls
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
The application.yml the gateway reads from /config: the pomelo.gateway tree from values, the ports the
chart exposes, and config (free-form keys) underneath.
*/}}
{{- define "pomelo-wx-gateway.applicationYaml" -}}
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
{{- if .Values.gateway.relay }}
{{- $_ := set $gateway "relay" (include "pomelo-wx-gateway.kebabKeys" .Values.gateway.relay | fromJson) }}
{{- end }}
{{- if include "pomelo-wx-gateway.tls" . }}
{{- $tlsDir := include "pomelo-wx-gateway.tlsDir" . }}
{{- $_ := set $gateway "tls" (dict "certificate" (printf "file:%s/tls.crt" $tlsDir) "private-key" (printf "file:%s/tls.key" $tlsDir)) }}
{{- end }}
{{- $generated := dict
      "pomelo" (dict "gateway" $gateway)
      "server" (dict "port" (include "pomelo-wx-gateway.dataPort" . | int))
      "management" (dict "server" (dict "port" (include "pomelo-wx-gateway.managementPort" . | int))) }}
{{- /* Defaults the operator may change through .Values.config; the chart's own keys always win. */}}
{{- $defaults := dict "pomelo" (dict "gateway" (dict "store" (dict "file" "/var/lib/pomelo-gateway/routes.json"))) }}
{{- toYaml (mustMergeOverwrite $defaults (deepCopy .Values.config) $generated) }}
{{- end }}
