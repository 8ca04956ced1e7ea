module.exports = { displayName: 'log', preset: '../../jest.preset.js' };
