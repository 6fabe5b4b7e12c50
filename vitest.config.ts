import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    // Time-outs only catch a hang; no test asserts speed. With both cores busy and other work on
    // the machine the suite ran 5-10x slower than idle (whole files taking minutes), so they are wide.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
