// The type of the rules in .dependency-cruiser.mjs, for the test that runs them (test/unit/lint.test.ts).
import type { IConfiguration } from 'dependency-cruiser';

declare const config: IConfiguration & Required<Pick<IConfiguration, 'forbidden' | 'options'>>;
export default config;
