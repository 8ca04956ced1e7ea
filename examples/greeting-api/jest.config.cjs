// The end-to-end test drives the example over HTTP; the code under test runs in worker threads
// (the handler, from the built packages), so line coverage of this project measures nothing.
module.exports = {
  displayName: 'example-greeting-api',
  preset: '../../jest.preset.js',
  collectCoverage: false,
  testTimeout: 30_000,
};
