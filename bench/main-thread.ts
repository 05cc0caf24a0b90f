import { launchChromium } from '../tests/e2e/chromium.js';
import { signIn } from '../tests/e2e/app.js';
import { startServer } from '../tests/integration/harness.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../src/simulator/traces.js';

// The main thread during patrol: the officer's home with the map open (WebGL through
// SwiftShader) while a 1 Hz fix stream from a real walk is filtered, recorded and drawn.
// Baseline in the same run: the same screen for the same time with no fixes arriving.
// Long tasks come from the browser's own PerformanceObserver('longtask') (≥ 50 ms each).

const SECONDS = 30;

export async function run(): Promise<void> {
  const server = await startServer('sqlite', { staticDir: 'dist/app' });
  const browser = await launchChromium({ webgl: true });
  try {
    const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk)).filter((_, i) => i % 5 === 0);
    const context = await browser.newContext({ permissions: ['geolocation'], geolocation: { latitude: walk[0]!.lat, longitude: walk[0]!.lon, accuracy: 5 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await signIn(page, 'J001'); // and the PIN every role sets on a new device
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: '开始巡逻' }).click();
    await page.getByRole('button', { name: '确认开始巡逻' }).click();
    await page.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { xfLongTasks: number[] };
      w.xfLongTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.xfLongTasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
    });
    const collect = () =>
      page.evaluate(() => {
        const w = window as unknown as { xfLongTasks: number[] };
        return w.xfLongTasks.splice(0);
      });

    // Calibration: an 80 ms busy loop must show up, or the figures below would mean nothing.
    await page.evaluate(() => {
      setTimeout(() => {
        const start = performance.now();
        while (performance.now() - start < 80);
      }, 0);
    });
    await page.waitForTimeout(500);
    const probe = await collect();
    if (!probe.some((d) => d >= 75)) throw new Error(`longtask observer did not see an 80 ms task (saw ${JSON.stringify(probe)})`);
    console.log(`calibration: an 80 ms busy loop observed as ${Math.max(...probe).toFixed(0)} ms`);

    await page.waitForTimeout(SECONDS * 1000);
    const idle = await collect();
    for (let i = 0; i < SECONDS; i++) {
      await context.setGeolocation({ latitude: walk[i + 1]!.lat, longitude: walk[i + 1]!.lon, accuracy: 5 });
      await page.waitForTimeout(1000);
    }
    const patrol = await collect();
    const fixes = Number(await page.getByTestId('route-stats').getAttribute('data-fixes'));

    const worst = (tasks: number[]) => (tasks.length ? Math.max(...tasks) : 0);
    console.log(`idle ${SECONDS} s, map open: ${idle.length} long tasks, longest ${worst(idle).toFixed(0)} ms`);
    console.log(
      `patrol ${SECONDS} s at 1 Hz (${fixes} fixes kept and drawn): ${patrol.length} long tasks, longest ${worst(patrol).toFixed(0)} ms (target: none over 50 ms)`,
    );
    // Both can be 0 (no task reached 50 ms): equal, so 1×.
    const ratio = worst(patrol) === worst(idle) ? 1 : worst(idle) > 0 ? worst(patrol) / worst(idle) : Number.POSITIVE_INFINITY;
    console.log(`bench main-thread: ${worst(patrol).toFixed(0)} ms longest task, ${ratio.toFixed(2)}× vs the same screen idle (${worst(idle).toFixed(0)} ms)`);
  } finally {
    await browser.close();
    await server.close();
  }
}
