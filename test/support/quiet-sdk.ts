/**
 * Jest setup: iii-sdk's progress lines ("[iii] Worker registered…") stay out of test output unless
 * `III_LOG_LEVEL=debug` asks for them, for clients tests create with `registerWorker` directly too.
 */
import { quietSdkDebugOutput } from '../../src/framework/sdk-console';

quietSdkDebugOutput();
