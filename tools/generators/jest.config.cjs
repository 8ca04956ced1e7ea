// The generator's tests: the in-memory ones (every trigger, every option) and the end-to-end one
// that generates all four triggers into a temporary workspace and runs their Nx targets.
module.exports = {
  displayName: 'generators',
  preset: '../../jest.preset.js',
  collectCoverageFrom: ['<rootDir>/lambda/**/*.cjs'],
};
