/**
 * The preload: `node -r tracehop/register app.js` (register.js, written by
 * the build, runs the preload gate first and then this). Side effects only.
 */
import { startTracehop } from './src/runtime/start';

startTracehop();
