// Lighthouse (mobile) on each page given, in one headless Chromium.
// Usage: node lighthouse.mjs BASE_URL PATH... ; prints JSON on standard output:
// {"<path>": {"scores": {"accessibility": 100, ...}, "failed": [{"id", "title", "score"}]}}
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [base, ...paths] = process.argv.slice(2);
const categories = ["accessibility", "best-practices", "seo"];
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
// Mobile, as Lighthouse's default. These categories do not depend on load speed, so
// the waits after loading are short (the default throttling mode, simulated, keeps them
// as set; "provided" would stretch each to 5 s) and no full-page screenshot is taken.
const config = {
  extends: "lighthouse:default",
  settings: {
    onlyCategories: categories,
    disableFullPageScreenshot: true,
    pauseAfterFcpMs: 250,
    pauseAfterLoadMs: 250,
    networkQuietThresholdMs: 250,
    cpuQuietThresholdMs: 250,
  },
};
const results = {};
try {
  for (const path of paths) {
    const run = await lighthouse(
      new URL(path, base).href,
      { port: chrome.port, output: "json", logLevel: "error" },
      config,
    );
    const lhr = run.lhr;
    const scores = {};
    for (const id of categories) {
      scores[id] = Math.round(lhr.categories[id].score * 100);
    }
    const failed = [];
    for (const id of categories) {
      for (const ref of lhr.categories[id].auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          failed.push({ id: ref.id, title: audit.title, score: audit.score });
        }
      }
    }
    results[path] = { scores, failed, runtimeError: lhr.runtimeError?.message ?? null };
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results, null, 1) + "\n");
