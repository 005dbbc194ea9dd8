import { startDockerd } from '../test/helpers/docker.js';
import { longshore } from '../test/helpers/nix.js';
import { buildFixtureImage } from '../bench/_fixture.js';
const a = await buildFixtureImage({ change: 'base' });
const b = await buildFixtureImage({ change: 'edit 1' });
const c = await buildFixtureImage({ change: 'edit 2' });
const d = await startDockerd();
try {
  await longshore(['copy', a.image, 'docker-daemon:fixture:base', '-q'], d.env);
  await longshore(['copy', b.image, 'docker-daemon:fixture:e1', '-q'], d.env);
  const t0 = performance.now();
  const r = await longshore(['copy', c.image, 'docker-daemon:fixture:e2', '--json'], { ...d.env, LONGSHORE_DEBUG: '1' });
  console.log('wall', (performance.now() - t0).toFixed(0), 'ms');
  console.log(r.stderr);
} finally { await d.stop(); }
