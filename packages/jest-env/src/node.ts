/** The node environment: jest-environment-node with hard timeouts. */
import { lazyEnvironment } from './lazy-environment';

const HardTimeoutNodeEnvironment = lazyEnvironment('jest-environment-node', 'HardTimeoutNodeEnvironment');
export default HardTimeoutNodeEnvironment;
export { HardTimeoutNodeEnvironment as TestEnvironment };
