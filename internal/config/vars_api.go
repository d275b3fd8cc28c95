package config

// HustleXP API smoke tests (SMK-1..SMK-5) and the hxapi client.
const (
	LoadDuration        = "HUSTLEXP_LOAD_DURATION"
	LoadRate            = "HUSTLEXP_LOAD_RATE"
	LoadIgnoreRateLimit = "HUSTLEXP_LOAD_IGNORE_RATE_LIMIT"
	LoadMaxErrorRate    = "HUSTLEXP_LOAD_MAX_ERROR_RATE"
	LoadP99             = "HUSTLEXP_LOAD_P99"
	LoadHealthP99       = "HUSTLEXP_LOAD_HEALTH_P99"
	LoadMinSamples      = "HUSTLEXP_LOAD_MIN_SAMPLES"
	LoadK6Timeout       = "HUSTLEXP_LOAD_K6_TIMEOUT"
	K6Binary            = "HUSTLEXP_K6_BINARY"
	HealthSamples       = "HUSTLEXP_HEALTH_SAMPLES"
	DBLatencyMax        = "HUSTLEXP_DB_LATENCY_MAX"
	WebhookDeadline     = "HUSTLEXP_WEBHOOK_DEADLINE"
	ResponseBodyLimit   = "HUSTLEXP_RESPONSE_BODY_LIMIT"
)

func init() {
	declare(
		Var{Name: LoadDuration, Kind: KindDuration, Default: "40s", Group: "Smoke",
			Doc: "SMK-1: duration of the native (vegeta) load stage. 40s reaches HUSTLEXP_LOAD_MIN_SAMPLES under the production limit of 60 requests/min/IP (0.9/s after the reserve: 36 requests); the rehearsal uses 8s."},
		Var{Name: LoadRate, Kind: KindInt, Default: "5", Group: "Smoke",
			Doc: "SMK-1: requests per second of the native load stage (open model), lowered automatically to stay under the target's X-RateLimit-Limit per window."},
		Var{Name: LoadIgnoreRateLimit, Kind: KindBool, Group: "Smoke",
			Doc: "SMK-1: send HUSTLEXP_LOAD_RATE even when it exceeds the target's per-IP rate limit (429s are still reported separately)."},
		Var{Name: LoadMaxErrorRate, Kind: KindFloat, Default: "0.01", Group: "Smoke",
			Doc: "SMK-1: threshold of http_req_failed (share of failed requests, 429s excluded), k6-smoke.js: 0.01."},
		Var{Name: LoadP99, Kind: KindDuration, Default: "500ms", Group: "Smoke",
			Doc: "SMK-1: threshold of the overall p99 latency (k6-smoke.js http_req_duration p(99) < 500)."},
		Var{Name: LoadHealthP99, Kind: KindDuration, Default: "50ms", Group: "Smoke",
			Doc: "SMK-1: threshold of the GET /health p99 latency (k6-smoke.js health_duration p(99) < 50)."},
		Var{Name: LoadMinSamples, Kind: KindInt, Default: "30", Group: "Smoke",
			Doc: "SMK-1: fewest answered (non-429) requests the native stage needs to judge; fewer is unverified (the message names the HUSTLEXP_LOAD_DURATION that reaches it)."},
		Var{Name: LoadK6Timeout, Kind: KindDuration, Default: "3m", Group: "Smoke",
			Doc: "SMK-1: deadline of a `k6 run ops/load-test/k6-smoke.js` (only when k6 is on PATH)."},
		Var{Name: K6Binary, Kind: KindString, Default: "k6", Group: "Smoke",
			Doc: "SMK-1: the k6 executable (a name looked up on PATH, or a path). Without one only the native stage runs, and a live run is unverified (the line is `k6 run ops/load-test/k6-smoke.js`)."},
		Var{Name: HealthSamples, Kind: KindInt, Default: "5", Group: "Smoke",
			Doc: "SMK-3: how many readiness / database-latency samples to take; every one must stay under HUSTLEXP_DB_LATENCY_MAX (p50/p95 reported as evidence)."},
		Var{Name: DBLatencyMax, Kind: KindDuration, Default: "100ms", Group: "Smoke",
			Doc: "SMK-3: the database latency every sample must stay under."},
		Var{Name: WebhookDeadline, Kind: KindDuration, Default: "30s", Group: "Smoke",
			Doc: "SMK-5: how long the stored test event may take to reach result success/skipped with processed_at."},
		Var{Name: ResponseBodyLimit, Kind: KindInt, Default: "1048576", Group: "Core",
			Doc: "Largest response body (bytes) the HustleXP client reads; longer bodies are an error."},
	)
}
