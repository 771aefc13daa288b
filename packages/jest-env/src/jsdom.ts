/**
 * `testEnvironment: '@hardtimeout/jest-env/jsdom'`: jest-environment-jsdom (installed by the
 * project, like for `testEnvironment: 'jsdom'`) with hard timeouts.
 */
import { lazyEnvironment } from './lazy-environment';

const HardTimeoutJsdomEnvironment = lazyEnvironment('jest-environment-jsdom', 'HardTimeoutJsdomEnvironment');
export default HardTimeoutJsdomEnvironment;
export { HardTimeoutJsdomEnvironment as TestEnvironment };
export { withHardTimeout } from './helper';
