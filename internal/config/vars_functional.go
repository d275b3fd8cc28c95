package config

// Functional verification (FUN-1..FUN-7) and Firebase identities.
const (
	FirebaseProjectID        = "FIREBASE_PROJECT_ID"
	FirebaseWebAPIKey        = "FIREBASE_WEB_API_KEY"
	FirebaseCredentialsFile  = "FIREBASE_CREDENTIALS_FILE"
	FirebaseAuthEmulatorHost = "FIREBASE_AUTH_EMULATOR_HOST"
	RehearsalFirebase        = "HUSTLEXP_REHEARSAL_FIREBASE"
	FirebaseCLI              = "HUSTLEXP_FIREBASE_CLI"
	AllowLivePayments        = "HUSTLEXP_ALLOW_LIVE_PAYMENTS"
	TestEmailDomain          = "HUSTLEXP_TEST_EMAIL_DOMAIN"
	FunTaskPrice             = "HUSTLEXP_FUN_TASK_PRICE"
	FunRegion                = "HUSTLEXP_FUN_REGION"
	FunCategory              = "HUSTLEXP_FUN_CATEGORY"
	FunReleaseTimeout        = "HUSTLEXP_FUN_RELEASE_TIMEOUT"
	EngineBridgeKey          = "HUSTLEXP_ENGINE_BRIDGE_KEY"
	FunPaymentMethod         = "HUSTLEXP_FUN_PAYMENT_METHOD"
	FunPosterEmail           = "HUSTLEXP_FUN_POSTER_EMAIL"
	FunPosterPassword        = "HUSTLEXP_FUN_POSTER_PASSWORD"
	FunHustlerEmail          = "HUSTLEXP_FUN_HUSTLER_EMAIL"
	FunHustlerPassword       = "HUSTLEXP_FUN_HUSTLER_PASSWORD"
)

func init() {
	declare(
		Var{Name: FirebaseProjectID, Kind: KindString, Group: "Firebase",
			Doc: "Firebase project of the deployment (the project FIREBASE_CREDENTIALS_FILE belongs to); test users are created there."},
		Var{Name: FirebaseWebAPIKey, Kind: KindSecret, Group: "Firebase",
			Doc: "Web API key of that project: FUN-1 signs test users up through the Identity Toolkit REST API (accounts:signUp)."},
		Var{Name: FirebaseCredentialsFile, Kind: KindPath, Group: "Firebase",
			Doc: "Service-account JSON of that project: the run's test users are deleted with it after the flow (Identity Toolkit admin API)."},
		Var{Name: FirebaseAuthEmulatorHost, Kind: KindString, Group: "Rehearsal",
			Doc: "host:port of the Firebase Auth emulator a rehearsal or a staging stack runs on (the world sets it for the rehearsal). FUN-1..7 sign test users up and delete them there (the evidence says so). With HUSTLEXP_TARGET=production it is an error: production never runs on the emulator."},
		Var{Name: RehearsalFirebase, Kind: KindString, Default: "auto", Group: "Rehearsal",
			Doc: "Firebase Auth in the rehearsal: emulator (firebase-tools required; CI), fake (in-process Identity Toolkit fake) or auto (emulator when the firebase CLI is installed, else the fake)."},
		Var{Name: FirebaseCLI, Kind: KindPath, Group: "Rehearsal",
			Doc: "Path of the firebase CLI (npm firebase-tools) for the rehearsal's Auth emulator; default: firebase on PATH."},
		Var{Name: AllowLivePayments, Kind: KindBool, Group: "Functional",
			Doc: "With a live Stripe key (sk_live_), let FUN-4/FUN-7 move real money (fund and release a task). Unset: only create-and-cancel a PaymentIntent; funding/payout rows report unverified."},
		Var{Name: TestEmailDomain, Kind: KindString, Default: "example.com", Group: "Functional",
			Doc: "Domain of the test users' e-mail addresses (launchcheck-<runid>-poster@<domain>)."},
		Var{Name: FunTaskPrice, Kind: KindInt, Default: "5000", Group: "Functional",
			Doc: "Price in cents of the task the functional flow creates (US-WA floor: 5000)."},
		Var{Name: FunRegion, Kind: KindString, Default: "US-WA", Group: "Functional",
			Doc: "regionCode of the functional flow's task."},
		Var{Name: FunCategory, Kind: KindString, Default: "yard", Group: "Functional",
			Doc: "category of the functional flow's task (yard: LOW risk, one proof photo)."},
		Var{Name: FunReleaseTimeout, Kind: KindDuration, Default: "45s", Group: "Functional",
			Doc: "How long FUN-7 waits for the asynchronous release (transfer, RELEASED escrow, xp_ledger row) after task.complete."},
		Var{Name: FunPaymentMethod, Kind: KindString, Default: "pm_card_visa", Group: "Functional",
			Doc: "PaymentMethod FUN-4 confirms the PaymentIntent with, as the client app would (Stripe test mode: pm_card_visa)."},
		Var{Name: FunPosterEmail, Kind: KindString, Group: "Functional",
			Doc: "Optional pre-provisioned poster account (email/password sign-in) instead of a fresh test user; it is not deleted afterwards."},
		Var{Name: FunPosterPassword, Kind: KindSecret, Group: "Functional",
			Doc: "Password of HUSTLEXP_FUN_POSTER_EMAIL."},
		Var{Name: FunHustlerEmail, Kind: KindString, Group: "Functional",
			Doc: "Optional pre-provisioned hustler account that already passes the deployment's worker eligibility (identity, Connect, capability profile); a fresh test user cannot be assigned in production. Not deleted afterwards."},
		Var{Name: FunHustlerPassword, Kind: KindSecret, Group: "Functional",
			Doc: "Password of HUSTLEXP_FUN_HUSTLER_EMAIL."},
		Var{Name: EngineBridgeKey, Kind: KindSecret, Group: "Functional",
			Doc: "ENGINE_BRIDGE_WRITE_KEY of the deployment (optional): sent as x-engine-bridge-key so task.create may carry the payout/margin split."},
	)
}
