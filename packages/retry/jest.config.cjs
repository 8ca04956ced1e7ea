module.exports = { displayName: 'retry', preset: '../../jest.preset.js' };
