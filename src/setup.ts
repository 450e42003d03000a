import { expect } from 'vitest';
import { forVitest } from './vitest/matcher-context.js';
import * as matchers from './matchers/index.js';
import './types.js';

expect.extend(forVitest({ ...matchers }));
