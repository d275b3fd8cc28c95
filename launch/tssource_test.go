package launch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, src := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// The backend's real layout (captures README): server.ts calls startServer()
// in serverStartup.ts, which calls validateConfig() (config.ts) before serve().
// A scan of server.ts alone finds neither call.
const realServerTS = `import 'dotenv/config';
import { startServer } from './serverStartup.js';
// validateConfig() is NOT called here: serverStartup does it
startServer().catch((err) => { console.error(err); process.exit(1); });
`

const realStartupTS = `import { serve } from '@hono/node-server';
import { validateConfig, config } from './config.js';
import { app } from './app.js';
import * as db from './db/index.js';

function listenNow(port: number) {
  return serve({ fetch: app.fetch, port });
}

export async function startServer(): Promise<void> {
  if (process.env.NODE_ENV === 'production' && !process.env.ALLOWED_ORIGINS) {
    console.error("❌ CRITICAL: ALLOWED_ORIGINS is not set in production // not a comment");
    process.exit(1);
  }
  validateConfig();
  await db.runMigrations();
  listenNow(config.port);
}
`

func TestFollowStartRealLayout(t *testing.T) {
	files := map[string]string{
		"backend/src/server.ts":        realServerTS,
		"backend/src/serverStartup.ts": realStartupTS,
		"backend/src/config.ts":        "export const config = { port: 3000 };\nexport function validateConfig(): void { if (!process.env.X) throw new Error('x'); }\n",
		"backend/src/db/index.ts":      "export async function runMigrations() { /* app.listen( in a comment */ }\n",
		"backend/src/app.ts":           "export const app = { fetch() {} };\n",
	}
	root := writeTree(t, files)
	ev, err := followStart(root, filepath.Join(root, "backend/src/server.ts"))
	if err != nil {
		t.Fatal(err)
	}
	chain := strings.Join(ev.chain, " → ")
	if ev.kind != "validate" || !strings.Contains(chain, "startServer() in backend/src/serverStartup.ts") || !strings.Contains(chain, "serverStartup.ts:15 validateConfig()") {
		t.Fatalf("got %q via %s, want validateConfig() reached through startServer() in serverStartup.ts", ev.kind, chain)
	}

	// listen before validate in the imported file: named with its chain
	files["backend/src/serverStartup.ts"] = strings.Replace(strings.Replace(realStartupTS, "  validateConfig();\n", "", 1),
		"  listenNow(config.port);\n", "  listenNow(config.port);\n  validateConfig();\n", 1)
	root = writeTree(t, files)
	ev, _ = followStart(root, filepath.Join(root, "backend/src/server.ts"))
	chain = strings.Join(ev.chain, " → ")
	if ev.kind != "listen" || !strings.Contains(chain, "listenNow() in backend/src/serverStartup.ts") || !strings.Contains(chain, "serve({") {
		t.Fatalf("got %q via %s, want the listen reached first through listenNow()", ev.kind, chain)
	}
}

func TestFollowStartResolution(t *testing.T) {
	root := writeTree(t, map[string]string{
		"src/main.ts":        "import boot from './boot';\nimport * as cfg from './cfg/index.js';\nboot();\n",
		"src/boot/index.ts":  "import { check as vc } from '../cfg';\nexport default async function () { run(); }\nconst run = () => { require('./x'); };\n",
		"src/cfg/index.ts":   "export function check() { validateConfig(); }\n",
		"src/other/never.ts": "app.listen(3000)\n",
	})
	ev, err := followStart(root, filepath.Join(root, "src/main.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.kind != "" { // boot → run → require: no validate, no listen
		t.Fatalf("got %q via %v, want neither", ev.kind, ev.chain)
	}
	root = writeTree(t, map[string]string{
		"src/main.ts":       "import boot from './boot';\nboot();\n",
		"src/boot/index.ts": "import { check as vc } from '../cfg';\nimport { createApp } from '../app';\nexport default async function () { vc(); createApp().listen(3000); }\n",
		"src/cfg/index.ts":  "export function check() { validateConfig(); }\n",
		"src/app.js":        "export function createApp() { return {}; }\n",
	})
	ev, _ = followStart(root, filepath.Join(root, "src/main.ts"))
	if ev.kind != "validate" || ev.files != 3 {
		t.Fatalf("got %q via %v after %d files, want validate through default export → aliased import → index.ts", ev.kind, ev.chain, ev.files)
	}
	if _, err := followStart(root, filepath.Join(root, "src/nope.ts")); err == nil {
		t.Fatal("a missing entry must be an error")
	}
}
