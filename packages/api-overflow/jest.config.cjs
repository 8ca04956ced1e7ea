module.exports = { displayName: 'api-overflow', preset: '../../jest.preset.js' };
