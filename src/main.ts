// The one entry point of the image: `node dist/main.js <controller|api|worker> [flags]`.
const command = process.argv[2];

switch (command) {
  case 'controller': {
    const { runController } = await import('./controller/main.ts');
    await runController(process.argv.slice(3));
    break;
  }
  case 'api': {
    const { runApi } = await import('./api/main.ts');
    await runApi();
    break;
  }
  case 'worker': {
    const { runWorker } = await import('./worker/main.ts');
    await runWorker();
    break;
  }
  default:
    console.error(`usage: sluice <controller|api|worker>\n  got: ${command ?? '(nothing)'}`);
    process.exit(2);
}
