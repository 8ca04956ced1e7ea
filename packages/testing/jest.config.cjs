module.exports = {
  displayName: 'testing',
  preset: '../../jest.preset.js',
  // Whole local AWS stacks start in beforeAll: seconds on a loaded 2-core machine.
  testTimeout: 30_000,
};
