// The one entry point of the image: `node dist/main.js <controller|api|worker> [flags]`.
import { runMain } from './shared/run-main.ts';

const command = process.argv[2];

switch (command) {
  case 'controller': {
    // Before client-node loads: the typed API classes the operator never constructs stay unloaded.
    (await import('./controller/runtime/lazy-api-classes.ts')).installLazyApiClasses();
    const { runController } = await import('./controller/main.ts');
    await runController(process.argv.slice(3));
    break;
  }
  case 'api': {
    const { runApi } = await import('./api/main.ts');
    runMain('api', runApi);
    break;
  }
  case 'worker': {
    const { runWorker } = await import('./worker/main.ts');
    runMain('worker', runWorker);
    break;
  }
  default:
    console.error(`usage: sluice <controller|api|worker>\n  got: ${command ?? '(nothing)'}`);
    process.exit(2);
}
